package org.myelin.storage.accounts;

/**
 * One device (session) of an account: what {@code GET /devices} lists.
 *
 * @param lastSeenTs when a token of the device last authenticated a request (to a minute), or null
 * @param lastSeenIp from which address, or null
 */
public record Device(String userId, String deviceId, String displayName, Long lastSeenTs, String lastSeenIp) {
}
