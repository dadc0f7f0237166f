package org.myelin.server.admin.users;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.myelin.protocol.id.UserId;
import org.myelin.server.admin.AdminRestrictions;
import org.myelin.server.client.account.AccountServices;
import org.myelin.server.client.account.Usernames;
import org.myelin.server.client.profile.ProfileService;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.accounts.Account;
import org.myelin.storage.accounts.AdminUser;
import org.myelin.storage.accounts.AdminUserRepository;

/**
 * {@code PUT /_synapse/admin/v2/users/{userId}}: creates the account if it does not exist, else
 * changes what the body names, as Synapse's {@code UserRestServletV2}. Threepids and external ids
 * are accepted and ignored: this server keeps neither.
 */
final class UserEditor {

    /** Synapse's built-in user types ({@code null} is a normal user). */
    static final List<String> USER_TYPES = List.of("bot", "support");
    private static final int MAX_PASSWORD_LENGTH = 512;

    /** The body, checked as Synapse checks it; {@code body} is kept to tell absent keys from nulls. */
    private record Changes(JsonNode body, String password, boolean logoutDevices, boolean admin, boolean deactivated,
                           boolean locked, String userType) {
        boolean has(String key) {
            return body.has(key);
        }
    }

    private final AccountServices accounts;
    private final AdminUserRepository users;
    private final ProfileService profiles;
    private final Deactivation deactivation;
    private final AdminRestrictions restrictions;

    UserEditor(AccountServices accounts, AdminUserRepository users, ProfileService profiles, Deactivation deactivation,
               AdminRestrictions restrictions) {
        this.accounts = accounts;
        this.users = users;
        this.profiles = profiles;
        this.deactivation = deactivation;
        this.restrictions = restrictions;
    }

    /** Creates or modifies {@code userId}; true if it was created. */
    boolean put(String adminUserId, String userId, JsonNode body) {
        Changes changes = check(body);
        AdminUser existing = users.find(userId).orElse(null);
        if (existing == null) {
            create(userId, changes);
            return true;
        }
        modify(adminUserId, existing, changes);
        restrictions.changed(userId);
        return false;
    }

    private static Changes check(JsonNode body) {
        if (!body.isObject()) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        JsonNode userType = body.get("user_type");
        if (userType != null && !userType.isNull() && !(userType.isTextual() && USER_TYPES.contains(userType.asText()))) {
            throw MatrixException.unknownBadRequest("Invalid user type");
        }
        boolean admin = bool(body, "admin", false, "Param 'admin' must be a boolean, if given", ErrCode.M_BAD_JSON);
        JsonNode password = body.get("password");
        if (password != null && !password.isNull()
                && (!password.isTextual() || password.asText().length() > MAX_PASSWORD_LENGTH)) {
            throw MatrixException.unknownBadRequest("Invalid password");
        }
        boolean logout = bool(body, "logout_devices", true, "'logout_devices' parameter is not of type boolean",
                ErrCode.M_UNKNOWN);
        boolean deactivated = bool(body, "deactivated", false, "'deactivated' parameter is not of type boolean",
                ErrCode.M_UNKNOWN);
        boolean locked = bool(body, "locked", false, "'locked' parameter is not of type boolean", ErrCode.M_UNKNOWN);
        if (deactivated && locked) {
            throw MatrixException.unknownBadRequest("An user can't be deactivated and locked");
        }
        for (String list : List.of("threepids", "external_ids")) {
            JsonNode items = body.get(list);
            if (items != null && !items.isNull() && !items.isArray()) {
                throw MatrixException.badJson("'" + list + "' must be a list");
            }
        }
        return new Changes(body, password == null || password.isNull() ? null : password.asText(), logout, admin,
                deactivated, locked, userType == null || userType.isNull() ? null : userType.asText());
    }

    private static boolean bool(JsonNode body, String key, boolean fallback, String error, ErrCode code) {
        JsonNode value = body.get(key);
        if (value == null) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw code == ErrCode.M_BAD_JSON ? MatrixException.badJson(error) : MatrixException.unknownBadRequest(error);
        }
        return value.asBoolean();
    }

    private void create(String userId, Changes changes) {
        String localpart = UserId.parse(userId).localpart();
        String checked = Usernames.localpart(localpart, accounts.serverName);
        if (!checked.equals(localpart)) {
            throw MatrixException.of(ErrCode.M_INVALID_USERNAME, "User ID may not contain upper-case letters");
        }
        String hash = changes.password() == null ? null : accounts.passwords.hashNew(changes.password());
        if (!accounts.accounts.register(new Account(userId, hash, changes.admin(), false, false,
                accounts.clock.millis()), null)) {
            throw MatrixException.userInUse("User ID already taken");
        }
        profiles.createDefault(userId);
        if (changes.has("displayname") && changes.body().get("displayname").isTextual()) {
            profiles.set(userId, "displayname", changes.body().get("displayname"));
        }
        if (changes.has("avatar_url") && changes.body().get("avatar_url").isTextual()) {
            profiles.set(userId, "avatar_url", changes.body().get("avatar_url"));
        }
        if (changes.userType() != null) {
            users.setUserType(userId, changes.userType());
        }
    }

    private void modify(String adminUserId, AdminUser user, Changes changes) {
        String userId = user.userId();
        if (changes.has("displayname")) {
            profiles.set(userId, "displayname", changes.body().get("displayname"));
        }
        if (changes.has("avatar_url")) {
            profiles.set(userId, "avatar_url", changes.body().get("avatar_url"));
        }
        if (changes.has("admin") && changes.admin() != user.isAdmin()) {
            if (userId.equals(adminUserId) && !changes.admin()) {
                throw MatrixException.unknownBadRequest("You may not demote yourself.");
            }
            users.setAdmin(userId, changes.admin());
        }
        if (changes.password() != null) {
            setPassword(userId, changes.password(), changes.logoutDevices());
        }
        if (changes.has("deactivated")) {
            if (changes.deactivated() && !user.deactivated()) {
                deactivation.deactivate(userId, false);
            } else if (!changes.deactivated() && user.deactivated()) {
                users.reactivate(userId);
            }
        }
        if (changes.has("locked") && changes.locked() != user.locked()) {
            users.setLocked(userId, changes.locked());
        }
        if (changes.has("user_type")) {
            users.setUserType(userId, changes.userType());
        }
    }

    /** Sets a new password; with {@code logoutDevices}, every device and token of the user goes. */
    void setPassword(String userId, String password, boolean logoutDevices) {
        accounts.accounts.changePassword(userId, accounts.passwords.hashNew(password), false, null, -1);
        if (logoutDevices) {
            accounts.devicesDeleted(userId, accounts.accounts.deleteAllDevices(userId));
        }
    }
}
