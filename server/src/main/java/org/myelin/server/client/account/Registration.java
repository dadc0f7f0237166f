package org.myelin.server.client.account;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.myelin.server.client.auth.UiaOutcome;
import org.myelin.server.client.auth.UiaSession;
import org.myelin.server.client.auth.UserInteractiveAuth;
import org.myelin.server.client.ratelimit.RateLimiter;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.accounts.Account;
import org.myelin.storage.accounts.AccountRepository;

/**
 * Creates accounts (client-server API, "Account registration"): who may register
 * ({@code registration.*} config), the username rules, the user-interactive authentication
 * ({@code m.login.dummy}, or {@code m.login.registration_token} when tokens are required),
 * guests, and the first session of the new account.
 */
public final class Registration {

    private static final String OPERATION = "register";
    private static final String REGISTERED_KEY = "registered_user_id";
    private static final String PARAMETERS_KEY = "registration_parameters";
    private static final int GENERATION_ATTEMPTS = 10;
    private static final char[] LOCALPART_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    /** What a client asked to register (the body of {@code POST /register}). */
    public record UserRequest(JsonNode auth, String username, String password, String deviceId,
                              String initialDeviceDisplayName, boolean inhibitLogin, boolean refreshToken) {

        /** Whether the body names a parameter besides {@code auth} and {@code password}. */
        boolean hasParameters() {
            return username != null || deviceId != null || initialDeviceDisplayName != null || inhibitLogin
                    || refreshToken;
        }

        /**
         * This step of the dance with what it leaves out taken from an earlier one, as Synapse
         * does: parameters given replace the earlier ones; none given (only {@code auth}, as
         * Element sends) keeps them; the password is the latest given.
         */
        UserRequest after(UserRequest earlier) {
            UserRequest given = hasParameters() ? this : earlier;
            return new UserRequest(auth, given.username, password != null ? password : earlier.password,
                    given.deviceId, given.initialDeviceDisplayName, given.inhibitLogin, given.refreshToken);
        }

        UserRequest withoutPassword() {
            return new UserRequest(auth, username, null, deviceId, initialDeviceDisplayName, inhibitLogin,
                    refreshToken);
        }
    }

    /** A new account and, unless login was inhibited, its first session. */
    public record Registered(String userId, Sessions.Issued session) {}

    /** The outcome of one {@code POST /register}: registered, or a UIA challenge to answer. */
    public sealed interface Outcome {
        record Done(Registered registered) implements Outcome {}

        record NeedsAuth(UiaOutcome.Challenge challenge) implements Outcome {}
    }

    private final String serverName;
    private final HomeserverConfig.Registration config;
    private final AccountRepository accounts;
    private final Sessions sessions;
    private final Passwords passwords;
    private final UserInteractiveAuth uia;
    private final RegistrationTokenStage tokenStage;
    private final RateLimiter limiter;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private volatile UserNamespaces namespaces = UserNamespaces.NONE;

    Registration(AccountServices services, HomeserverConfig config, RegistrationTokenStage tokenStage) {
        this.serverName = config.serverName();
        this.config = config.registration();
        this.accounts = services.accounts;
        this.sessions = services.sessions;
        this.passwords = services.passwords;
        this.uia = services.uia;
        this.tokenStage = tokenStage;
        this.limiter = services.rateLimiters.registration();
        this.clock = services.clock;
    }

    /** The application services' namespaces, which reserve user ids (set once at start). */
    public void useNamespaces(UserNamespaces reserved) {
        this.namespaces = reserved;
    }

    /**
     * Registers a user in the namespace of the application service {@code appServiceId}
     * ({@code type: m.login.application_service}, application service API, "Server admin style
     * permissions"): no UIA, no rate limit, even with registration off, as Synapse; 400
     * {@code M_EXCLUSIVE} outside the service's namespace or inside another's exclusive one.
     */
    public Registered registerByAppService(String appServiceId, UserRequest request) {
        if (request.username() == null) {
            throw MatrixException.missingParam("Missing 'username'");
        }
        String localpart = Usernames.localpart(request.username(), serverName);
        namespaces.checkMayRegister(Usernames.userId(localpart, serverName), appServiceId);
        if (request.deviceId() != null) {
            Sessions.validDeviceId(request.deviceId());
        }
        Sessions.validDisplayName(request.initialDeviceDisplayName());
        if (accounts.exists(Usernames.userId(localpart, serverName))) {
            throw MatrixException.userInUse("User ID already taken");
        }
        return create(localpart, null, false, request);
    }

    /**
     * Refuses registration from {@code clientAddress} when it is off (403 M_FORBIDDEN), only
     * for loopback and the client is not on it, or over the rate limit (429).
     */
    public void checkAllowed(String clientAddress) {
        if (!config.enabled()) {
            throw MatrixException.forbidden("Registration has been disabled");
        }
        checkLoopback(clientAddress);
        limiter.check(clientAddress == null ? "" : clientAddress);
    }

    /**
     * Registers a user account, one UIA step at a time. The parameters of a step are remembered
     * in its UIA session (in memory; the password too, until the account is made, when it is
     * hashed once), so a later step may send only {@code auth}.
     */
    public Outcome registerUser(UserRequest sent, String clientAddress) {
        checkAllowed(clientAddress);
        Optional<UiaSession> existing = uia.existing(sent.auth(), OPERATION);
        UserRequest request = existing.flatMap(s -> s.get(PARAMETERS_KEY, UserRequest.class))
                .map(sent::after).orElse(sent);
        // A retry of a registration that completed (the client lost the answer) must get the
        // result again, not "user in use" for the account it just created.
        boolean retry = existing.flatMap(s -> s.get(REGISTERED_KEY, String.class)).isPresent();
        String localpart = null;
        if (request.username() != null) {
            localpart = Usernames.localpart(request.username(), serverName);
            if (!retry) {
                checkAvailable(localpart);
            }
        }
        if (request.password() != null) {
            Passwords.validate(request.password());
        }
        if (request.deviceId() != null) {
            Sessions.validDeviceId(request.deviceId());
        }
        Sessions.validDisplayName(request.initialDeviceDisplayName());
        UiaOutcome outcome = uia.authenticate(OPERATION, request.auth(), flows());
        if (outcome instanceof UiaOutcome.Challenge challenge) {
            challenge.session().put(PARAMETERS_KEY, request);
            return new Outcome.NeedsAuth(challenge);
        }
        UiaSession session = ((UiaOutcome.Authenticated) outcome).session();
        session.put(PARAMETERS_KEY, request.withoutPassword()); // a retry needs no password
        Optional<String> earlier = session.get(REGISTERED_KEY, String.class);
        if (earlier.isPresent()) { // a retry of a completed registration: log in again
            return new Outcome.Done(new Registered(earlier.get(), request.inhibitLogin() ? null
                    : sessions.start(earlier.get(), request.deviceId(), request.initialDeviceDisplayName(),
                            request.refreshToken())));
        }
        if (request.password() == null) {
            throw MatrixException.missingParam("Missing 'password'");
        }
        limiter.acquire(clientAddress == null ? "" : clientAddress);
        String hash = passwords.hashNew(request.password());
        Registered registered = create(localpart, hash, false, request);
        tokenStage.registered(session);
        session.put(REGISTERED_KEY, registered.userId());
        return new Outcome.Done(registered);
    }

    /** Registers a guest (no UIA; every parameter but the device display name is ignored). */
    public Registered registerGuest(String initialDeviceDisplayName, String clientAddress) {
        if (!config.guestAccess()) {
            throw MatrixException.of(ErrCode.M_GUEST_ACCESS_FORBIDDEN, "Guest access is disabled");
        }
        checkLoopback(clientAddress);
        limiter.acquire(clientAddress == null ? "" : clientAddress);
        return create(null, null, true, new UserRequest(null, null, null, null, initialDeviceDisplayName,
                false, false));
    }

    /**
     * Registers an account for an admin tool (shared-secret registration), without UIA or
     * rate limits; 400 M_INVALID_USERNAME or M_USER_IN_USE as for clients.
     */
    public Registered registerByAdmin(String username, String password, boolean admin) {
        String localpart = Usernames.localpart(username, serverName);
        checkAvailable(localpart);
        String hash = passwords.hashNew(password);
        Sessions.Prepared first = sessions.prepare(Usernames.userId(localpart, serverName), null, null, false);
        if (!accounts.register(new Account(first.issued().userId(), hash, admin, false, false, clock.millis()),
                first.toStore())) {
            throw MatrixException.userInUse("User ID already taken");
        }
        return new Registered(first.issued().userId(), first.issued());
    }

    /** {@code GET /register/available}: 200 or 400 M_INVALID_USERNAME / M_USER_IN_USE. */
    public void checkUsername(String username) {
        checkAvailable(Usernames.localpart(username, serverName));
    }

    private List<UserInteractiveAuth.Flow> flows() {
        return List.of(config.requireToken()
                ? UserInteractiveAuth.Flow.of(tokenStage)
                : UserInteractiveAuth.Flow.of(UserInteractiveAuth.DUMMY_STAGE));
    }

    private void checkAvailable(String localpart) {
        namespaces.checkMayRegister(Usernames.userId(localpart, serverName), null);
        if (accounts.exists(Usernames.userId(localpart, serverName))) {
            throw MatrixException.userInUse("User ID already taken");
        }
    }

    /** Stores the account (and its first session unless inhibited); a null localpart is generated. */
    private Registered create(String localpart, String passwordHash, boolean guest, UserRequest request) {
        for (int attempt = 0; attempt < GENERATION_ATTEMPTS; attempt++) {
            String part = localpart != null ? localpart : generateLocalpart(guest);
            String userId = Usernames.userId(part, serverName);
            Sessions.Prepared first = request.inhibitLogin() ? null : sessions.prepare(userId,
                    guest ? null : request.deviceId(), request.initialDeviceDisplayName(), request.refreshToken());
            Account account = new Account(userId, passwordHash, false, guest, false, clock.millis());
            if (accounts.register(account, first == null ? null : first.toStore())) {
                return new Registered(userId, first == null ? null : first.issued());
            }
            if (localpart != null) { // taken while the client was authenticating
                throw MatrixException.userInUse("User ID already taken");
            }
        }
        throw new IllegalStateException("could not generate a free localpart");
    }

    /** Guests get numeric localparts (reserved for them); others a random lower-case one. */
    private String generateLocalpart(boolean guest) {
        if (guest) {
            return Long.toString(1_000_000_000L + (random.nextLong() & Long.MAX_VALUE) % 9_000_000_000L);
        }
        char[] chars = new char[12];
        chars[0] = 'u';
        for (int i = 1; i < chars.length; i++) {
            chars[i] = LOCALPART_CHARS[random.nextInt(LOCALPART_CHARS.length)];
        }
        return new String(chars);
    }

    private void checkLoopback(String clientAddress) {
        if (!config.loopbackOnly()) {
            return;
        }
        boolean loopback;
        try {
            // Always an IP literal (the socket's peer), so no name lookup happens here.
            loopback = clientAddress != null && InetAddress.getByName(clientAddress).isLoopbackAddress();
        } catch (UnknownHostException e) {
            loopback = false;
        }
        if (!loopback) {
            throw MatrixException.forbidden("Registration is only allowed from this machine (registration.loopback_only)");
        }
    }
}
