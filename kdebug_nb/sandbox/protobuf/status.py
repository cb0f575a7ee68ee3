"""Schema of PodStatus: conditions, IPs, container statuses and states,
resource health and claim statuses."""

from __future__ import annotations

from .schema import BOOL, INT32, INT64, KEEP, LIST, MAP, PTR, QUANTITY, STRING, TIME, F

MESSAGES: dict[str, dict[int, F]] = {
    "ContainerExtendedResourceRequest": {
        1: F("containerName", STRING, KEEP),
        2: F("resourceName", STRING, KEEP),
        3: F("requestName", STRING, KEEP),
    },
    "ContainerState": {
        1: F("waiting", "ContainerStateWaiting", PTR),
        2: F("running", "ContainerStateRunning", PTR),
        3: F("terminated", "ContainerStateTerminated", PTR),
    },
    "ContainerStateRunning": {
        1: F("startedAt", TIME),
    },
    "ContainerStateTerminated": {
        1: F("exitCode", INT32, KEEP),
        2: F("signal", INT32),
        3: F("reason", STRING),
        4: F("message", STRING),
        5: F("startedAt", TIME),
        6: F("finishedAt", TIME),
        7: F("containerID", STRING),
    },
    "ContainerStateWaiting": {
        1: F("reason", STRING),
        2: F("message", STRING),
    },
    "ContainerStatus": {
        1: F("name", STRING, KEEP),
        2: F("state", "ContainerState"),
        3: F("lastState", "ContainerState"),
        4: F("ready", BOOL, KEEP),
        5: F("restartCount", INT32, KEEP),
        6: F("image", STRING, KEEP),
        7: F("imageID", STRING, KEEP),
        8: F("containerID", STRING),
        9: F("started", BOOL, PTR),
        10: F("allocatedResources", QUANTITY, MAP),
        11: F("resources", "ResourceRequirements", PTR),
        12: F("volumeMounts", "VolumeMountStatus", LIST),
        13: F("user", "ContainerUser", PTR),
        14: F("allocatedResourcesStatus", "ResourceStatus", LIST),
        15: F("stopSignal", STRING, PTR),
    },
    "ContainerUser": {
        1: F("linux", "LinuxContainerUser", PTR),
    },
    "HostIP": {
        1: F("ip", STRING, KEEP),
    },
    "LinuxContainerUser": {
        1: F("uid", INT64, KEEP),
        2: F("gid", INT64, KEEP),
        3: F("supplementalGroups", INT64, LIST),
    },
    "PodCondition": {
        1: F("type", STRING, KEEP),
        2: F("status", STRING, KEEP),
        3: F("lastProbeTime", TIME),
        4: F("lastTransitionTime", TIME),
        5: F("reason", STRING),
        6: F("message", STRING),
        7: F("observedGeneration", INT64),
    },
    "PodExtendedResourceClaimStatus": {
        1: F("requestMappings", "ContainerExtendedResourceRequest", LIST),
        2: F("resourceClaimName", STRING, KEEP),
    },
    "PodIP": {
        1: F("ip", STRING, KEEP),
    },
    "PodResourceClaimStatus": {
        1: F("name", STRING, KEEP),
        2: F("resourceClaimName", STRING, PTR),
    },
    "PodStatus": {
        1: F("phase", STRING),
        2: F("conditions", "PodCondition", LIST),
        3: F("message", STRING),
        4: F("reason", STRING),
        5: F("hostIP", STRING),
        6: F("podIP", STRING),
        7: F("startTime", TIME, PTR),
        8: F("containerStatuses", "ContainerStatus", LIST),
        9: F("qosClass", STRING),
        10: F("initContainerStatuses", "ContainerStatus", LIST),
        11: F("nominatedNodeName", STRING),
        12: F("podIPs", "PodIP", LIST),
        13: F("ephemeralContainerStatuses", "ContainerStatus", LIST),
        14: F("resize", STRING),
        15: F("resourceClaimStatuses", "PodResourceClaimStatus", LIST),
        16: F("hostIPs", "HostIP", LIST),
        17: F("observedGeneration", INT64),
        18: F("extendedResourceClaimStatus", "PodExtendedResourceClaimStatus", PTR),
        19: F("allocatedResources", QUANTITY, MAP),
        20: F("resources", "ResourceRequirements", PTR),
    },
    "ResourceHealth": {
        1: F("resourceID", STRING, KEEP),
        2: F("health", STRING),
    },
    "ResourceStatus": {
        1: F("name", STRING, KEEP),
        2: F("resources", "ResourceHealth", LIST),
    },
    "VolumeMountStatus": {
        1: F("name", STRING, KEEP),
        2: F("mountPath", STRING, KEEP),
        3: F("readOnly", BOOL),
        4: F("recursiveReadOnly", STRING, PTR),
    },
}
