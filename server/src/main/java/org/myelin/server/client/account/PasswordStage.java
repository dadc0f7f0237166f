package org.myelin.server.client.account;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.server.client.auth.UiaSession;
import org.myelin.server.client.auth.UserInteractiveAuth;
import org.myelin.server.http.MatrixException;

/**
 * The {@code m.login.password} stage for an authenticated request: the auth dict must name
 * the requester (by {@code identifier} or the legacy {@code user}) and give their password.
 */
final class PasswordStage implements UserInteractiveAuth.Stage {

    private final Passwords passwords;
    private final String serverName;
    private final String requester;

    PasswordStage(Passwords passwords, String serverName, String requester) {
        this.passwords = passwords;
        this.serverName = serverName;
        this.requester = requester;
    }

    @Override
    public String type() {
        return UserInteractiveAuth.PASSWORD;
    }

    @Override
    public void verify(JsonNode auth, UiaSession session) {
        String userId = UserIdentifiers.resolve(auth, serverName);
        if (!userId.equals(requester)) {
            throw MatrixException.forbidden("The password stage must authenticate the requesting user");
        }
        JsonNode password = auth.get("password");
        if (password == null || !password.isTextual()) {
            throw MatrixException.missingParam("Missing 'password'");
        }
        passwords.check(userId, password.asText());
    }
}
