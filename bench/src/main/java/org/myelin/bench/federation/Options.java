package org.myelin.bench.federation;

import java.util.Set;
import java.util.TreeSet;

/**
 * The benchmark's options, all system properties with defaults (every phase is bounded in time):
 *
 * <ul>
 *   <li>{@code phases=1,2,3}: which phases run (3 needs 2's room);</li>
 *   <li>{@code rate=20 seconds=20 warmup=10}: phase 1's offered load (messages/s), measured
 *       duration and unmeasured warm-up (s);</li>
 *   <li>{@code rooms=4 messages=2000 members=10000 inboundSeconds=600}: phase 2's message rooms
 *       (in parallel, beside the members room), pre-signed messages per room, joins into the
 *       members room, and the phase's time limit;</li>
 *   <li>{@code joinTimeout=180 heap=512m jfr=auto}: phase 3's limit for /join and for the full
 *       state, the separate process' -Xmx, and whether it is profiled with JFR (auto: in a second
 *       join when the first misses a target; always; never);</li>
 *   <li>{@code warmupMembers=2000}: members of a second room on A that each B joins first, so that
 *       the timed join is a running server's, not the JIT compiler's first sight of the code (0:
 *       the timed join is B's first);</li>
 *   <li>{@code pool=10}: the in-process servers' database pool (the production default).</li>
 * </ul>
 */
record Options(Set<Integer> phases, int rate, int seconds, int warmup, int rooms, int messages, int members,
               int inboundSeconds, int joinTimeout, String heap, String jfr, int pool, int warmupMembers) {

    static Options fromSystemProperties() {
        Set<Integer> phases = new TreeSet<>();
        for (String p : System.getProperty("phases", "1,2,3").split(",")) {
            if (!p.isBlank()) {
                phases.add(Integer.parseInt(p.trim()));
            }
        }
        return new Options(phases, Integer.getInteger("rate", 20), Integer.getInteger("seconds", 20),
                Integer.getInteger("warmup", 10), Integer.getInteger("rooms", 4), Integer.getInteger("messages", 2000),
                Integer.getInteger("members", 10_000), Integer.getInteger("inboundSeconds", 600),
                Integer.getInteger("joinTimeout", 180), System.getProperty("heap", "512m"),
                System.getProperty("jfr", "auto"), Integer.getInteger("pool", 10),
                Integer.getInteger("warmupMembers", 2000));
    }

    @Override
    public String toString() {
        return "phases=" + phases + " rate=" + rate + " seconds=" + seconds + " warmup=" + warmup + " rooms=" + rooms
                + " messages=" + messages + " members=" + members + " inboundSeconds=" + inboundSeconds
                + " joinTimeout=" + joinTimeout + " heap=" + heap + " jfr=" + jfr + " pool=" + pool
                + " warmupMembers=" + warmupMembers;
    }
}
