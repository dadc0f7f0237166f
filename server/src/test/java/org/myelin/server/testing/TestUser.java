package org.myelin.server.testing;

/**
 * A user registered on a {@link TestHomeserver} with {@link TestHomeserver#registerUser}: its
 * id, the device and access token of its first session, and its password (to log in again).
 */
public record TestUser(String userId, String deviceId, String accessToken, String password) {
}
