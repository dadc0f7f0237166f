package org.myelin.protocol.version;

/** The state resolution algorithm a room version uses. */
public enum StateResAlgorithm {
    /** Room version 1. */
    V1,
    /** Room versions 2 to 11. */
    V2,
    /** Room version 12: v2, with iterative auth checks from an empty state and the conflicted state subgraph. */
    V2_1
}
