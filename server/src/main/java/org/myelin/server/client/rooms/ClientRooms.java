package org.myelin.server.client.rooms;

import com.github.benmanes.caffeine.cache.Cache;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.server.client.profile.Profiles;

import org.myelin.server.RoomServices;
import org.myelin.server.client.ratelimit.RateLimiter;
import org.myelin.server.client.directory.PublicRooms;
import org.myelin.server.client.directory.RemoteDirectory;
import org.myelin.server.client.directory.RoomAliases;
import org.myelin.storage.events.ClientTransactionRepository;
import org.myelin.storage.events.RelationRepository;
import org.myelin.storage.events.TimelineRepository;
import org.myelin.storage.rooms.AliasRepository;
import org.myelin.storage.rooms.ForgottenRoomRepository;
import org.myelin.storage.rooms.RedactedEvents;
import org.myelin.storage.rooms.RoomDirectoryRepository;

import javax.sql.DataSource;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The client-server API's room side, wired by constructors on top of {@link RoomServices}: what
 * the room and directory routes call. The ports to other servers ({@link RemoteJoiner},
 * {@link RemoteInviter}, {@link RemoteDirectory}) and the profile lookup are plugged in later by
 * federation and the profile API; until then they refuse.
 */
public final class ClientRooms {

    public final TimelineRepository timelineRepository;
    public final RelationRepository relationRepository;
    public final ClientTransactionRepository transactions;
    public final AliasRepository aliasRepository;
    public final RoomDirectoryRepository directoryRepository;
    public final ForgottenRoomRepository forgotten;
    /** Stored events to client format: for every endpoint that returns events, /sync included. */
    public final ClientEvents clientEvents;
    /** History visibility: which events a user may see. */
    public final EventVisibility visibility;
    public final RoomAccess access;
    public final RoomActions actions;
    public final Memberships memberships;
    public final RoomAliases aliases;
    public final RoomCreation creation;
    public final RoomStates states;
    public final RoomTimeline timeline;
    public final TimestampLookup timestamps;
    public final RoomRelations relations;
    public final PublicRooms publicRooms;
    private final AtomicReference<RemoteJoiner> remoteJoiner = new AtomicReference<>(RemoteJoiner.UNAVAILABLE);
    private final AtomicReference<RemoteInviter> remoteInviter = new AtomicReference<>(RemoteInviter.UNAVAILABLE);
    private final AtomicReference<RemoteDirectory> remoteDirectory = new AtomicReference<>(RemoteDirectory.UNAVAILABLE);
    private final AtomicReference<RemoteTimestamps> remoteTimestamps =
            new AtomicReference<>(RemoteTimestamps.NONE);
    private final AtomicReference<Profiles> profiles = new AtomicReference<>(Profiles.NONE);
    private final AtomicReference<SenderRestrictions> restrictions =
            new AtomicReference<>(SenderRestrictions.NONE);
    private final Map<String, Cache<?, ?>> caches = new HashMap<>();

    /**
     * @param messageLimit       the rate limit of events a user sends (send, state, redact)
     * @param defaultRoomVersion the version of rooms created without one
     */
    public ClientRooms(RoomServices rooms, DataSource dataSource, RateLimiter messageLimit,
                       RoomVersion defaultRoomVersion) {
        this.timelineRepository = rooms.timeline;
        this.transactions = new ClientTransactionRepository(dataSource);
        this.aliasRepository = new AliasRepository(dataSource);
        this.directoryRepository = new RoomDirectoryRepository(dataSource);
        this.forgotten = new ForgottenRoomRepository(dataSource);
        RedactionIndex redacted = new RedactionIndex(new RedactedEvents(dataSource));
        rooms.onCommit(redacted::committed);
        rooms.onCommit(transactions::committed);
        this.relationRepository = new RelationRepository(dataSource);
        RelationIndex related = new RelationIndex(relationRepository);
        rooms.onCommit(related::committed);
        this.clientEvents = new ClientEvents(rooms.eventCache, timelineRepository, rooms.snapshots, transactions,
                redacted, new BundledAggregations(related, relationRepository, rooms.eventCache), rooms.clock);
        this.visibility = new EventVisibility(rooms.events, timelineRepository, rooms.snapshots, rooms.eventCache,
                rooms.memberships);
        this.access = new RoomAccess(rooms.heads, rooms.eventStates, rooms.eventCache, rooms.memberships,
                timelineRepository);
        this.actions = new RoomActions(new RoomActions.Parts(rooms.pipeline, rooms.heads, rooms.eventCache,
                transactions, messageLimit, rooms.clock, restrictions::get));
        this.memberships = new Memberships(new Memberships.Parts(actions, access, rooms.memberships, forgotten,
                rooms.local, profiles::get, remoteJoiner::get, remoteInviter::get));
        this.aliases = new RoomAliases(aliasRepository, rooms.memberships, access, actions, rooms.local,
                remoteDirectory::get, rooms.clock);
        this.creation = new RoomCreation(actions, memberships, aliases, directoryRepository, rooms.local, rooms.clock,
                defaultRoomVersion);
        this.states = new RoomStates(access, actions, aliases, rooms.eventCache, clientEvents);
        this.timeline = new RoomTimeline(access, timelineRepository, rooms.eventCache, visibility, clientEvents);
        this.timestamps = new TimestampLookup(new TimestampLookup.Parts(access, timelineRepository, rooms.eventCache,
                rooms.rooms, rooms.memberships, rooms.local.serverName(), remoteTimestamps::get));
        this.relations = new RoomRelations(access, relationRepository, rooms.eventCache, visibility, clientEvents);
        this.publicRooms = new PublicRooms(directoryRepository, access, rooms.local, remoteDirectory::get,
                rooms.clock);
        caches.putAll(transactions.caches());
        caches.putAll(redacted.caches());
        caches.putAll(related.caches());
        caches.putAll(clientEvents.caches());
    }

    /** The caches of the rooms' client side, by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return Map.copyOf(caches);
    }

    /** Federation's make_join/send_join. */
    public void useRemoteJoiner(RemoteJoiner joiner) {
        remoteJoiner.set(joiner);
    }

    /** Federation's invite of other servers' users. */
    public void useRemoteInviter(RemoteInviter inviter) {
        remoteInviter.set(inviter);
    }

    /** Federation's directory queries. */
    public void useRemoteDirectory(RemoteDirectory directory) {
        remoteDirectory.set(directory);
    }

    /** The account data's ignored users: their events and invites are not shown to who ignores them. */
    public void useIgnoredSenders(IgnoredSenders senders) {
        visibility.ignoring(senders);
    }

    /** Federation's {@code /timestamp_to_event}, asked when the closest event here may not be. */
    public void useRemoteTimestamps(RemoteTimestamps remote) {
        remoteTimestamps.set(remote);
    }

    /** The admin API's restrictions of senders (suspension, shadow ban, blocked rooms). */
    public void useRestrictions(SenderRestrictions senderRestrictions) {
        restrictions.set(senderRestrictions);
    }

    /** The profile API's lookup, for the profile fields of member events. */
    public void useProfiles(Profiles lookup) {
        profiles.set(lookup);
    }
}
