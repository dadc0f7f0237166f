package org.myelin.bench.e2ee;

import java.util.Set;
import java.util.TreeSet;

/**
 * The options of {@link KeysLoad}, all system properties with defaults:
 *
 * <ul>
 *   <li>{@code phases=1,2,3}: which phases run;</li>
 *   <li>{@code members=1000 queries=50 queryWarmup=10}: phase 1's room members (each one device
 *       with keys), timed /keys/query requests and untimed ones before them;</li>
 *   <li>{@code claimDevices=100 otks=110 claims=1000 keysPerClaim=10 connections=50}: phase 2's
 *       devices, one-time keys each uploads (each device is asked for
 *       {@code claims × keysPerClaim / claimDevices} keys, 100 by default: fewer than that
 *       exercises the fallback key), claims, devices each claim asks a key of, and the
 *       connections the claims run over at once;</li>
 *   <li>{@code recipients=10 devicesPerRecipient=10 senders=10 messages=10000 ciphertextChars=800}:
 *       phase 3's users on B and their devices, users on A sending, to-device messages in all (one
 *       PUT carries one message for each of B's devices) and the size of each message's
 *       ciphertext;</li>
 *   <li>{@code pool=10 timeout=180 logLevel=WARN}: the servers' database pool (the production
 *       default), the longest a phase waits for anything (s), Myelin's log level.</li>
 * </ul>
 */
record KeysOptions(Set<Integer> phases, int members, int queries, int queryWarmup, int claimDevices, int otks,
                   int claims, int keysPerClaim, int connections, int recipients, int devicesPerRecipient,
                   int senders, int messages, int ciphertextChars, int pool, int timeout) {

    static KeysOptions fromSystemProperties() {
        Set<Integer> phases = new TreeSet<>();
        for (String p : System.getProperty("phases", "1,2,3").split(",")) {
            if (!p.isBlank()) {
                phases.add(Integer.parseInt(p.trim()));
            }
        }
        return new KeysOptions(phases, Integer.getInteger("members", 1000), Integer.getInteger("queries", 100),
                Integer.getInteger("queryWarmup", 60), Integer.getInteger("claimDevices", 100),
                Integer.getInteger("otks", 110), Integer.getInteger("claims", 1000),
                Integer.getInteger("keysPerClaim", 10), Integer.getInteger("connections", 50),
                Integer.getInteger("recipients", 10), Integer.getInteger("devicesPerRecipient", 10),
                Integer.getInteger("senders", 10), Integer.getInteger("messages", 10_000),
                Integer.getInteger("ciphertextChars", 800), Integer.getInteger("pool", 10),
                Integer.getInteger("timeout", 180));
    }
}
