"""Schema of Container and everything nested in it (env, probes, lifecycle,
security context, resources, mounts), shared by EphemeralContainerCommon."""

from __future__ import annotations

from .schema import (
    BOOL,
    INLINE,
    INT32,
    INT64,
    INT_OR_STRING,
    KEEP,
    LIST,
    MAP,
    PTR,
    QUANTITY,
    STRING,
    F,
)

# Container and EphemeralContainerCommon: Kubernetes keeps their field names and
# numbers identical on purpose (an ephemeral container converts to a Container),
# so both messages read this one table.
CONTAINER_FIELDS: dict[int, F] = {
    1: F("name", STRING, KEEP),
    2: F("image", STRING),
    3: F("command", STRING, LIST),
    4: F("args", STRING, LIST),
    5: F("workingDir", STRING),
    6: F("ports", "ContainerPort", LIST),
    7: F("env", "EnvVar", LIST),
    8: F("resources", "ResourceRequirements"),
    9: F("volumeMounts", "VolumeMount", LIST),
    10: F("livenessProbe", "Probe", PTR),
    11: F("readinessProbe", "Probe", PTR),
    12: F("lifecycle", "Lifecycle", PTR),
    13: F("terminationMessagePath", STRING),
    14: F("imagePullPolicy", STRING),
    15: F("securityContext", "SecurityContext", PTR),
    16: F("stdin", BOOL),
    17: F("stdinOnce", BOOL),
    18: F("tty", BOOL),
    19: F("envFrom", "EnvFromSource", LIST),
    20: F("terminationMessagePolicy", STRING),
    21: F("volumeDevices", "VolumeDevice", LIST),
    22: F("startupProbe", "Probe", PTR),
    23: F("resizePolicy", "ContainerResizePolicy", LIST),
    24: F("restartPolicy", STRING, PTR),
    25: F("restartPolicyRules", "ContainerRestartRule", LIST),
}

MESSAGES: dict[str, dict[int, F]] = {
    "AppArmorProfile": {
        1: F("type", STRING, KEEP),
        2: F("localhostProfile", STRING, PTR),
    },
    "Capabilities": {
        1: F("add", STRING, LIST),
        2: F("drop", STRING, LIST),
    },
    "ConfigMapEnvSource": {
        1: F("", "LocalObjectReference", INLINE),
        2: F("optional", BOOL, PTR),
    },
    "ConfigMapKeySelector": {
        1: F("", "LocalObjectReference", INLINE),
        2: F("key", STRING, KEEP),
        3: F("optional", BOOL, PTR),
    },
    "Container": CONTAINER_FIELDS,
    "ContainerPort": {
        1: F("name", STRING),
        2: F("hostPort", INT32),
        3: F("containerPort", INT32, KEEP),
        4: F("protocol", STRING),
        5: F("hostIP", STRING),
    },
    "ContainerResizePolicy": {
        1: F("resourceName", STRING, KEEP),
        2: F("restartPolicy", STRING, KEEP),
    },
    "ContainerRestartRule": {
        1: F("action", STRING),
        2: F("exitCodes", "ContainerRestartRuleOnExitCodes", PTR),
    },
    "ContainerRestartRuleOnExitCodes": {
        1: F("operator", STRING),
        2: F("values", INT32, LIST),
    },
    "EnvFromSource": {
        1: F("prefix", STRING),
        2: F("configMapRef", "ConfigMapEnvSource", PTR),
        3: F("secretRef", "SecretEnvSource", PTR),
    },
    "EnvVar": {
        1: F("name", STRING, KEEP),
        2: F("value", STRING),
        3: F("valueFrom", "EnvVarSource", PTR),
    },
    "EnvVarSource": {
        1: F("fieldRef", "ObjectFieldSelector", PTR),
        2: F("resourceFieldRef", "ResourceFieldSelector", PTR),
        3: F("configMapKeyRef", "ConfigMapKeySelector", PTR),
        4: F("secretKeyRef", "SecretKeySelector", PTR),
        5: F("fileKeyRef", "FileKeySelector", PTR),
    },
    "EphemeralContainer": {
        1: F("", "EphemeralContainerCommon", INLINE),
        2: F("targetContainerName", STRING),
    },
    "EphemeralContainerCommon": CONTAINER_FIELDS,
    "ExecAction": {
        1: F("command", STRING, LIST),
    },
    "FileKeySelector": {
        1: F("volumeName", STRING, KEEP),
        2: F("path", STRING, KEEP),
        3: F("key", STRING, KEEP),
        4: F("optional", BOOL, PTR),
    },
    "GRPCAction": {
        1: F("port", INT32, KEEP),
        2: F("service", STRING, PTR),
    },
    "HTTPGetAction": {
        1: F("path", STRING),
        2: F("port", INT_OR_STRING, KEEP),
        3: F("host", STRING),
        4: F("scheme", STRING),
        5: F("httpHeaders", "HTTPHeader", LIST),
    },
    "HTTPHeader": {
        1: F("name", STRING, KEEP),
        2: F("value", STRING, KEEP),
    },
    "Lifecycle": {
        1: F("postStart", "LifecycleHandler", PTR),
        2: F("preStop", "LifecycleHandler", PTR),
        3: F("stopSignal", STRING, PTR),
    },
    "LifecycleHandler": {
        1: F("exec", "ExecAction", PTR),
        2: F("httpGet", "HTTPGetAction", PTR),
        3: F("tcpSocket", "TCPSocketAction", PTR),
        4: F("sleep", "SleepAction", PTR),
    },
    "LocalObjectReference": {
        1: F("name", STRING),
    },
    "ObjectFieldSelector": {
        1: F("apiVersion", STRING),
        2: F("fieldPath", STRING, KEEP),
    },
    "Probe": {
        1: F("", "ProbeHandler", INLINE),
        2: F("initialDelaySeconds", INT32),
        3: F("timeoutSeconds", INT32),
        4: F("periodSeconds", INT32),
        5: F("successThreshold", INT32),
        6: F("failureThreshold", INT32),
        7: F("terminationGracePeriodSeconds", INT64, PTR),
    },
    "ProbeHandler": {
        1: F("exec", "ExecAction", PTR),
        2: F("httpGet", "HTTPGetAction", PTR),
        3: F("tcpSocket", "TCPSocketAction", PTR),
        4: F("grpc", "GRPCAction", PTR),
    },
    "ResourceClaim": {
        1: F("name", STRING, KEEP),
        2: F("request", STRING),
    },
    "ResourceFieldSelector": {
        1: F("containerName", STRING),
        2: F("resource", STRING, KEEP),
        3: F("divisor", QUANTITY),
    },
    "ResourceRequirements": {
        1: F("limits", QUANTITY, MAP),
        2: F("requests", QUANTITY, MAP),
        3: F("claims", "ResourceClaim", LIST),
    },
    "SELinuxOptions": {
        1: F("user", STRING),
        2: F("role", STRING),
        3: F("type", STRING),
        4: F("level", STRING),
    },
    "SeccompProfile": {
        1: F("type", STRING, KEEP),
        2: F("localhostProfile", STRING, PTR),
    },
    "SecretEnvSource": {
        1: F("", "LocalObjectReference", INLINE),
        2: F("optional", BOOL, PTR),
    },
    "SecretKeySelector": {
        1: F("", "LocalObjectReference", INLINE),
        2: F("key", STRING, KEEP),
        3: F("optional", BOOL, PTR),
    },
    "SecurityContext": {
        1: F("capabilities", "Capabilities", PTR),
        2: F("privileged", BOOL, PTR),
        3: F("seLinuxOptions", "SELinuxOptions", PTR),
        4: F("runAsUser", INT64, PTR),
        5: F("runAsNonRoot", BOOL, PTR),
        6: F("readOnlyRootFilesystem", BOOL, PTR),
        7: F("allowPrivilegeEscalation", BOOL, PTR),
        8: F("runAsGroup", INT64, PTR),
        9: F("procMount", STRING, PTR),
        10: F("windowsOptions", "WindowsSecurityContextOptions", PTR),
        11: F("seccompProfile", "SeccompProfile", PTR),
        12: F("appArmorProfile", "AppArmorProfile", PTR),
    },
    "SleepAction": {
        1: F("seconds", INT64, KEEP),
    },
    "TCPSocketAction": {
        1: F("port", INT_OR_STRING, KEEP),
        2: F("host", STRING),
    },
    "WindowsSecurityContextOptions": {
        1: F("gmsaCredentialSpecName", STRING, PTR),
        2: F("gmsaCredentialSpec", STRING, PTR),
        3: F("runAsUserName", STRING, PTR),
        4: F("hostProcess", BOOL, PTR),
    },
}
