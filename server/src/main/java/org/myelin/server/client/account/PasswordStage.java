package org.myelin.server.client.account;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.server.client.auth.UiaSession;
import org.myelin.server.client.auth.UserInteractiveAuth;
import org.myelin.server.http.MatrixException;

/**
 * The {@code m.login.password} stage for an authenticated request: the auth dict must name
 * the requester (by {@code identifier} or the legacy {@code user}) and give their password. A
 * wrong password is another 401; another user's right password ends the request with 403.
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
        JsonNode password = auth.get("password");
        if (password == null || !password.isTextual()) {
            throw MatrixException.missingParam("Missing 'password'");
        }
        passwords.check(userId, password.asText());
        if (!userId.equals(requester)) {
            // Someone's password, but not the requester's: Synapse's "Invalid auth", a 403.
            throw new UserInteractiveAuth.Refused(
                    MatrixException.forbidden("Invalid auth: the password stage must authenticate the requesting user"));
        }
    }
}
