package org.myelin.server.client.account;

import org.myelin.server.client.auth.PasswordHasher;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.accounts.Account;
import org.myelin.storage.accounts.AccountRepository;

/**
 * Checks and sets account passwords. A wrong password, an unknown account, a guest and a
 * deactivated account all fail the same way and take the same time: 403
 * {@code M_FORBIDDEN} "Invalid username or password".
 */
public final class Passwords {

    /** Longest password accepted, as Synapse: hashing cost must not be the client's choice. */
    static final int MAX_LENGTH = 512;

    private final AccountRepository accounts;
    private final PasswordHasher hasher;

    public Passwords(AccountRepository accounts, PasswordHasher hasher) {
        this.accounts = accounts;
        this.hasher = hasher;
    }

    /** Returns normally if {@code password} is the password of {@code userId}; 403 otherwise. */
    public void check(String userId, String password) {
        String hash = accounts.account(userId).map(Account::passwordHash).orElse(null);
        if (!hasher.verify(password, hash)) {
            throw MatrixException.forbidden("Invalid username or password");
        }
    }

    /** A hash of a new password (400 for an empty or overlong one). */
    public String hashNew(String password) {
        validate(password);
        return hasher.hash(password);
    }

    static void validate(String password) {
        if (password.isEmpty()) {
            throw MatrixException.invalidParam("Password must not be empty");
        }
        if (password.length() > MAX_LENGTH || password.indexOf('\0') >= 0) {
            throw MatrixException.invalidParam("Invalid password");
        }
    }
}
