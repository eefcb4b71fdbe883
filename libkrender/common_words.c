#include "common_words.h"

#include <stdint.h>
#include <string.h>

/* common_slot is an open-addressing table over common_words (index + 1, 0 = empty) for
 * COMMON_HASH; it was made with the words: a word added without remaking it is simply never
 * found. */
#define KR_COMMON_WORDS(X) \
    X("op") X("to") X("v1") X("Job") X("TCP") X("UDP") X("add") X("app") X("cpu") X("env") \
    X("get") X("key") X("tls") X("Role") X("args") X("data") X("envs") X("from") X("host") \
    X("http") X("kind") X("list") X("name") X("path") X("port") X("spec") X("true") X("type") \
    X("Exact") X("Never") X("bases") X("false") X("files") X("hosts") X("https") X("image") \
    X("items") X("merge") X("pairs") X("paths") X("ports") X("rules") X("value") X("verbs") \
    X("watch") X("Always") X("Egress") X("Opaque") X("Prefix") X("Secret") X("create") X("delete") \
    X("digest") X("effect") X("egress") X("images") X("labels") X("limits") X("memory") \
    X("newTag") X("number") X("remove") X("secret") X("status") X("target") X("update") \
    X("values") X("CronJob") X("Ingress") X("Service") X("apps/v1") X("backend") X("command") \
    X("envFrom") X("fsGroup") X("httpGet") X("ingress") X("metrics") X("newName") X("options") \
    X("patches") X("replace") X("roleRef") X("service") X("storage") X("volumes") X("NodePort") \
    X("affinity") X("apiGroup") X("batch/v1") X("behavior") X("emptyDir") X("fieldRef") \
    X("literals") X("metadata") X("operator") X("pathType") X("protocol") X("readOnly") \
    X("replicas") X("requests") X("resource") X("schedule") X("selector") X("strategy") \
    X("subjects") X("template") X("ClusterIP") X("Component") X("ConfigMap") X("DaemonSet") \
    X("Namespace") X("apiGroups") X("claimName") X("clusterIP") X("configMap") X("fieldPath") \
    X("mountPath") X("namespace") X("policy/v1") X("resources") X("runAsUser") X("secretRef") \
    X("valueFrom") X("Deployment") X("apiVersion") X("components") X("containers") X("namePrefix") \
    X("nameSuffix") X("runAsGroup") X("secretName") X("stringData") X("targetPort") \
    X("ClusterRole") X("RoleBinding") X("StatefulSet") X("Utilization") X("accessModes") \
    X("annotations") X("defaultMode") X("jobTemplate") X("matchLabels") X("maxReplicas") \
    X("minReplicas") X("podSelector") X("policyTypes") X("serviceName") X("tolerations") \
    X("IfNotPresent") X("LoadBalancer") X("commonLabels") X("configMapRef") X("minAvailable") \
    X("nodeSelector") X("runAsNonRoot") X("secretKeyRef") X("startupProbe") X("volumeMounts") \
    X("Kustomization") X("NetworkPolicy") X("containerPort") X("livenessProbe") X("periodSeconds") \
    X("restartPolicy") X("ServiceAccount") X("autoscaling/v2") X("maxUnavailable") \
    X("readinessProbe") X("scaleTargetRef") X("timeoutSeconds") X("configMapKeyRef") \
    X("imagePullPolicy") X("patchesJson6902") X("secretGenerator") X("securityContext") \
    X("generatorOptions") X("includeSelectors") X("includeTemplates") X("matchExpressions") \
    X("storageClassName") X("commonAnnotations") X("kubernetes.io/tls") X("namespaceSelector") \
    X("ClusterRoleBinding") X("averageUtilization") X("configMapGenerator") \
    X("serviceAccountName") X("PodDisruptionBudget") X("initialDelaySeconds") \
    X("networking.k8s.io/v1") X("volumeClaimTemplates") X("PersistentVolumeClaim") \
    X("patchesStrategicMerge") X("persistentVolumeClaim") X("HorizontalPodAutoscaler") \
    X("rbac.authorization.k8s.io") X("rbac.authorization.k8s.io/v1") \
    X("kustomize.config.k8s.io/v1beta1") X("kustomize.config.k8s.io/v1alpha1")
/* The words' static copies, one table with a fixed stride, so that a text can be told to be
 * one of them (kr_common_plain_word) by its address alone. */
#define STRIDE 48
#define KR_COMMON_FITS(w) _Static_assert(sizeof w <= STRIDE, "common word too long: " w);
KR_COMMON_WORDS(KR_COMMON_FITS)
#define KR_COMMON_WORD(w) w,
static const char common_words[][STRIDE] = {KR_COMMON_WORDS(KR_COMMON_WORD)};
#define NWORDS (sizeof common_words / sizeof *common_words)
/* the key nodes' texts are the table's (__COUNTER__ numbers the words in order) */
enum { FIRST_WORD = __COUNTER__ + 1 };
#define KR_COMMON_KEY(w)                                                                          \
    {.kind = KR_SCALAR, .type = KR_T_STR, .style = KR_STYLE_PLAIN, .len = sizeof w - 1,          \
     .u.text = common_words[__COUNTER__ - FIRST_WORD]},
static const kr_node common_keys[] = {KR_COMMON_WORDS(KR_COMMON_KEY)};
_Static_assert(sizeof common_keys / sizeof *common_keys == NWORDS, "one key node per word");

#define COMMON_HASH(s, n)                                                                         \
    (((n) * 11u + (unsigned char)(s)[0] * 39u + (unsigned char)(s)[(n) - 1]) & 511u)
static const uint8_t common_slot[512] = {
    0, 0, 17, 0, 0, 62, 0, 0, 42, 0, 0, 0, 152, 0, 0, 0, 82, 83, 164, 0, 26, 0, 0, 150, 55, 54, 141,
    102, 162, 74, 0, 0, 172, 0, 0, 18, 0, 0, 32, 0, 0, 100, 101, 0, 0, 92, 0, 99, 0, 2, 0, 122, 33,
    121, 0, 84, 85, 0, 64, 63, 131, 27, 28, 0, 13, 3, 103, 182, 0, 0, 11, 75, 93, 0, 0, 0, 0, 187,
    123, 104, 106, 0, 0, 0, 133, 117, 105, 156, 132, 0, 0, 0, 194, 169, 0, 0, 0, 0, 65, 148, 195, 0,
    165, 196, 0, 107, 160, 0, 0, 0, 158, 157, 0, 0, 0, 0, 20, 0, 0, 0, 19, 0, 66, 0, 0, 0, 0, 0, 0,
    0, 34, 35, 0, 170, 0, 0, 0, 0, 151, 30, 0, 0, 134, 0, 0, 0, 0, 0, 0, 0, 43, 0, 149, 76, 181, 36,
    46, 175, 176, 0, 0, 0, 0, 0, 44, 0, 0, 0, 0, 37, 112, 0, 0, 0, 87, 67, 48, 188, 0, 0, 56, 0, 0,
    0, 0, 171, 86, 0, 0, 0, 0, 77, 45, 0, 0, 198, 0, 0, 0, 0, 0, 0, 124, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    177, 0, 0, 0, 0, 0, 0, 0, 0, 21, 0, 0, 197, 0, 0, 0, 68, 0, 0, 12, 108, 0, 49, 161, 0, 0, 0, 0,
    0, 159, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 142, 0, 0, 0, 110, 0, 0, 0, 109,
    0, 0, 14, 0, 0, 0, 135, 22, 0, 0, 0, 0, 0, 0, 0, 0, 173, 0, 0, 0, 0, 178, 179, 0, 0, 0, 0, 0,
    57, 58, 0, 0, 0, 29, 0, 0, 0, 0, 111, 0, 0, 0, 38, 47, 0, 0, 0, 0, 5, 125, 94, 0, 0, 0, 190, 0,
    71, 0, 0, 0, 192, 0, 0, 7, 0, 0, 0, 0, 0, 0, 23, 95, 0, 59, 70, 8, 0, 0, 50, 78, 0, 136, 0, 0,
    0, 185, 0, 6, 0, 15, 118, 163, 0, 0, 60, 0, 0, 0, 1, 0, 0, 0, 0, 79, 189, 61, 90, 0, 0, 0, 183,
    0, 0, 0, 0, 0, 0, 0, 0, 154, 193, 0, 143, 144, 145, 119, 0, 0, 0, 0, 89, 0, 0, 137, 167, 0, 0,
    0, 0, 31, 88, 168, 0, 0, 113, 0, 72, 0, 0, 0, 126, 24, 120, 0, 0, 129, 80, 130, 9, 0, 0, 0, 0,
    25, 0, 0, 96, 139, 140, 166, 0, 91, 155, 39, 40, 41, 51, 180, 0, 0, 0, 0, 0, 0, 0, 73, 0, 115,
    4, 16, 0, 0, 97, 0, 191, 81, 0, 0, 199, 98, 0, 0, 0, 0, 0, 138, 0, 0, 114, 200, 69, 0, 0, 0, 52,
    0, 0, 0, 174, 116, 0, 0, 0, 0, 0, 0, 184, 0, 0, 53, 0, 0, 0, 127, 128, 0, 0, 10, 146, 147, 186,
    0, 153};

/* The index of s[0..len) in common_words, or -1. */
static int common_index(const char *s, size_t len)
{
    if (len == 0 || len > 40)
        return -1;
    for (size_t h = COMMON_HASH(s, len); common_slot[h]; h = (h + 1) & (sizeof common_slot - 1)) {
        const char *w = common_words[common_slot[h] - 1];
        size_t i = 0;
        while (i < len && w[i] && w[i] == s[i])
            i++;
        if (i == len && !w[len])
            return common_slot[h] - 1;
    }
    return -1;
}

const char *kr_common_text(const char *s, size_t len)
{
    if (len == 0)
        return "";
    int i = common_index(s, len);
    return i < 0 ? NULL : common_words[i];
}

kr_node *kr_common_key(const char *s, size_t len)
{
    int i = common_index(s, len);
    return i < 0 ? NULL : (kr_node *)&common_keys[i];
}

bool kr_is_common_key(const kr_node *n)
{
    return n >= common_keys && n < common_keys + NWORDS;
}

/* Each word's place among the words in the order of kr_key_less (keyorder.h), made with it;
 * test_emit checks every pair against it. */
static const uint8_t common_rank[] = {
    127, 186, 191, 14, 31, 32, 35, 41, 62, 71, 81, 96, 185, 25, 43, 64, 73, 78, 82, 84, 97, 103, 117, 134,
    142, 173, 188, 189, 10, 19, 47, 74, 77, 83, 86, 87, 94, 111, 130, 136, 143, 157, 192, 195, 199, 0, 9, 21,
    24, 27, 63, 66, 67, 68, 69, 89, 101, 102, 110, 124, 126, 149, 163, 175, 181, 190, 194, 6, 13, 28, 42, 46,
    52, 72, 79, 85, 92, 113, 123, 129, 131, 150, 156, 170, 176, 198, 20, 36, 38, 48, 49, 70, 76, 104, 112, 128,
    135, 144, 147, 151, 152, 153, 162, 169, 178, 180, 183, 1, 4, 5, 7, 17, 39, 50, 51, 56, 75, 116, 120, 140,
    154, 160, 167, 193, 8, 40, 55, 61, 118, 119, 158, 166, 179, 182, 2, 26, 30, 33, 34, 37, 65, 95, 107, 108,
    115, 139, 141, 172, 187, 12, 16, 54, 59, 114, 125, 159, 165, 174, 197, 15, 18, 60, 105, 137, 155, 29, 44, 109,
    148, 161, 184, 58, 88, 132, 164, 168, 80, 90, 91, 106, 177, 53, 98, 121, 3, 45, 57, 171, 23, 93, 122, 196,
    22, 133, 138, 11, 145, 146, 100, 99,
};
_Static_assert(sizeof common_rank == NWORDS, "one rank per word");

int kr_common_rank(const char *s)
{
    uintptr_t off = (uintptr_t)s - (uintptr_t)common_words;
    return off >= sizeof common_words || off % STRIDE ? -1 : common_rank[off / STRIDE];
}

bool kr_common_plain_word(const char *s, size_t len)
{
    uintptr_t off = (uintptr_t)s - (uintptr_t)common_words;
    if (off >= sizeof common_words || off % STRIDE)
        return false;
    /* plain, these two would read back as booleans */
    return !(len == 4 && memcmp(s, "true", 4) == 0) && !(len == 5 && memcmp(s, "false", 5) == 0);
}

size_t kr_common_word_count(void)
{
    return NWORDS;
}

const char *kr_common_word(size_t i)
{
    return i < NWORDS ? common_words[i] : NULL;
}
