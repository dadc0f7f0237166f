package org.myelin.server.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/** Test helpers of the admin API's tests. */
final class Admins {

    private Admins() {
    }

    /** Registers {@code localpart} and makes it a server admin (as {@code register_new_matrix_user -a} would). */
    static TestUser admin(TestHomeserver hs, String localpart) {
        TestUser user = hs.registerUser(localpart);
        sql(hs, "UPDATE users SET is_admin = TRUE WHERE user_id = ?", user.userId());
        return user;
    }

    static void sql(TestHomeserver hs, String statement, String arg) {
        try (Connection c = hs.homeserver().database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(statement)) {
            ps.setString(1, arg);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
