package org.myelin.server.admin;

import com.github.benmanes.caffeine.cache.Cache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.myelin.server.RoomServices;
import org.myelin.server.UserServices;
import org.myelin.server.admin.federation.DestinationRoutes;
import org.myelin.server.admin.notices.ServerNoticeRoutes;
import org.myelin.server.admin.notices.ServerNotices;
import org.myelin.server.admin.reports.EventReportRoutes;
import org.myelin.server.admin.rooms.RoomAdministration;
import org.myelin.server.admin.users.UserAdministration;
import org.myelin.server.client.account.AccountServices;
import org.myelin.server.client.accountdata.AccountData;
import org.myelin.server.client.rooms.ClientRooms;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.federation.FederationServices;
import org.myelin.server.http.Routes;
import org.myelin.storage.accountdata.AccountDataRepository;
import org.myelin.storage.accounts.AdminUserRepository;
import org.myelin.storage.accounts.RateLimitOverrideRepository;
import org.myelin.storage.reports.ReportRepository;
import org.myelin.storage.rooms.BlockedRoomRepository;
import org.myelin.storage.rooms.ServerNoticeRoomRepository;

/**
 * The admin API (Synapse's {@code /_synapse/admin}, and the client-server API's admin endpoints),
 * wired by constructors: what admins restrict is plugged into the send path and the message rate
 * limiter here, and {@link #routes} gives every endpoint for the client listener.
 */
public final class AdminServices {

    /** The parts of the homeserver the admin API acts on. */
    public record Parts(HomeserverConfig config, DataSource dataSource, AccountServices accounts, UserServices users,
                        RoomServices rooms, ClientRooms clientRooms, AccountData accountData,
                        FederationServices federation) {
    }

    private final Parts p;
    private final AdminAuth auth;
    private final AdminUserRepository adminUsers;
    private final RateLimitOverrideRepository overrides;
    private final BlockedRoomRepository blockedRooms;
    private final AdminRestrictions restrictions;

    public AdminServices(Parts parts) {
        this.p = parts;
        this.auth = new AdminAuth(parts.accounts().authenticator, parts.accounts()::isAdmin);
        this.adminUsers = new AdminUserRepository(parts.dataSource(), parts.accounts().tokensRevoked());
        this.overrides = new RateLimitOverrideRepository(parts.dataSource());
        this.blockedRooms = new BlockedRoomRepository(parts.dataSource());
        this.restrictions = new AdminRestrictions(adminUsers, blockedRooms, overrides);
        parts.clientRooms().useRestrictions(restrictions);
        parts.accounts().rateLimiters.message().useOverrides(restrictions);
    }

    /** Every admin endpoint. */
    public List<Routes> routes() {
        List<Routes> routes = new ArrayList<>();
        routes.add(new ServerVersionRoutes());
        routes.addAll(UserAdministration.routes(new UserAdministration.Parts(auth, p.accounts(), adminUsers, overrides,
                restrictions, p.users().profiles, p.rooms().memberships, p.clientRooms().memberships,
                new AccountDataRepository(p.dataSource()))));
        routes.addAll(RoomAdministration.routes(auth, p.rooms(), p.clientRooms(), p.accounts().accounts, blockedRooms,
                p.dataSource()));
        ServerNotices notices = new ServerNotices(new ServerNotices.Parts(p.config().serverNotices(),
                p.config().serverName(), p.accounts().accounts, p.users().profiles,
                new ServerNoticeRoomRepository(p.dataSource()), p.rooms().memberships, p.clientRooms().creation,
                p.clientRooms().memberships, p.clientRooms().actions, p.accountData(), p.rooms().clock));
        routes.add(new ServerNoticeRoutes(auth, notices, p.accounts().accounts, p.config().serverName()));
        routes.add(new DestinationRoutes(auth, p.federation().backoff, p.federation()::outbound, p.rooms().memberships,
                p.config().serverName()));
        routes.add(new EventReportRoutes(auth, new ReportRepository(p.dataSource()), p.rooms().heads,
                p.rooms().eventCache));
        return routes;
    }

    /** Administration's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return restrictions.caches();
    }
}
