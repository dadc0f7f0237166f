package org.myelin.server.client.sync;

import com.github.benmanes.caffeine.cache.Cache;
import java.util.HashMap;
import java.util.Map;
import org.myelin.server.RoomServices;
import org.myelin.server.client.accountdata.AccountData;
import org.myelin.server.client.accountdata.ServerAccountData;
import org.myelin.server.client.presence.PresenceService;
import org.myelin.server.client.push.NotifiedUsers;
import org.myelin.server.client.push.PushEvaluation;
import org.myelin.server.client.receipts.Receipts;
import org.myelin.server.client.rooms.ClientEvents;
import org.myelin.server.client.rooms.EventThreads;
import org.myelin.server.client.rooms.EventVisibility;
import org.myelin.server.client.rooms.RoomAccess;
import org.myelin.server.client.rooms.RoomTimeline;
import org.myelin.server.client.sync.filter.Filters;
import org.myelin.server.client.typing.TypingNotifications;
import org.myelin.server.streams.StreamChangeCache;
import org.myelin.server.streams.StreamId;
import org.myelin.storage.accountdata.AccountDataRepository;
import org.myelin.storage.events.RelationRepository;
import org.myelin.storage.events.TimelineRepository;
import org.myelin.storage.filters.FilterRepository;
import org.myelin.storage.push.PushActionRepository;
import org.myelin.storage.receipts.ReceiptRepository;
import org.myelin.storage.rooms.RoomDirectoryRepository;
import org.myelin.storage.events.PersistedEvent;
import org.myelin.storage.keys.MembershipChanges;
import org.myelin.storage.streams.DeviceListRepository;
import org.myelin.storage.streams.ToDeviceRepository;
import org.myelin.storage.sync.MembershipHistory;
import org.myelin.storage.sync.RoomSyncQueries;

import javax.sql.DataSource;

/**
 * /sync and the streams around it, wired by constructors on top of {@link RoomServices}: filters,
 * typing, receipts, account data, the sync itself and the deprecated endpoints read like it
 * ({@code /events}, {@code /initialSync}). What other modules provide (presence, push
 * rule evaluation, server-provided account data) comes in as {@link Parts}.
 */
public final class SyncServices implements AutoCloseable {

    /**
     * What the sync takes from other parts of the client-server API.
     *
     * @param presence    presence, or null for none
     * @param push        push rule evaluation for the notification counts, or null to count by event type
     * @param provided    account data the server provides (push rules)
     */
    public record Parts(ClientEvents clientEvents, EventVisibility visibility, PresenceService presence,
                        PushEvaluation push, ServerAccountData provided, DeviceKeyCounts keyCounts) {
        /** Without end-to-end encryption keys (their counts are then none). */
        public Parts(ClientEvents clientEvents, EventVisibility visibility, PresenceService presence,
                     PushEvaluation push, ServerAccountData provided) {
            this(clientEvents, visibility, presence, push, provided, DeviceKeyCounts.NONE);
        }
    }

    /**
     * What /sync is made of that sliding sync (MSC4186) shares: the timeline window, state at a
     * position, room summaries, unread counts, event format, the user's memberships, receipts and
     * typing, stripped state, to-device delivery, device list changes, key counts and account data.
     */
    public record Shared(TimelineWindows windows, StateSections states, RoomSummaries summaries,
                         NotificationCounts counts, SyncEventFormat format, UserMemberships memberships,
                         Ephemerals ephemerals, StrippedStates stripped, ToDeviceInbox toDevice,
                         DeviceListChanges deviceLists, DeviceKeyCounts keyCounts, AccountData accountData) {
    }

    private static final int MEMBER_ROOMS_REMEMBERED = 100_000;

    public final Filters filters;
    public final TypingNotifications typing;
    public final AccountData accountData;
    public final Receipts receipts;
    public final ReceiptRepository receiptRepository;
    public final ToDeviceRepository toDevice;
    public final DeviceListRepository deviceLists;
    public final RoomSyncQueries queries;
    /** Whose device lists changed between two tokens: /sync's {@code device_lists} and {@code GET /keys/changes}. */
    public final DeviceListChanges deviceListChanges;
    public final Sync sync;
    /** The parts of /sync that sliding sync computes its answers with, so that each rule has one implementation. */
    public final Shared shared;
    /** The deprecated event stream, {@code GET /events}, over the same streams. */
    public final EventStream eventStream;
    /** The deprecated {@code /initialSync} snapshots. */
    public final InitialSync initialSync;
    /**
     * Who each event notifies, evaluated once per event: the unread counts read it, the push
     * action recorder stores it. Null without a push rule engine.
     */
    public final NotifiedUsers notifiedUsers;
    private final Map<String, Cache<?, ?>> caches = new HashMap<>();

    public SyncServices(RoomServices rooms, DataSource dataSource, Parts parts) {
        this.filters = new Filters(new FilterRepository(dataSource));
        this.typing = new TypingNotifications(rooms.streams, rooms.clock);
        this.accountData = new AccountData(new AccountDataRepository(dataSource), rooms.streams, parts.provided());
        this.receiptRepository = new ReceiptRepository(dataSource);
        EventThreads threads = new EventThreads(rooms.eventCache, new RelationRepository(dataSource));
        this.receipts = new Receipts(receiptRepository, accountData, rooms, threads);
        this.toDevice = new ToDeviceRepository(dataSource);
        this.deviceLists = new DeviceListRepository(dataSource);
        this.queries = new RoomSyncQueries(dataSource);
        TimelineRepository timeline = rooms.timeline;
        StreamChangeCache timelineChanges = rooms.streams.changes(StreamId.TIMELINE);
        ReadPositions reads = new ReadPositions(receiptRepository, queries);
        rooms.onCommit(reads::committed);
        receipts.onStored(reads::receiptStored);
        this.notifiedUsers = parts.push() == null ? null : new NotifiedUsers(rooms.local.serverName(), parts.push(),
                accountData.ignoredUsers(), new PushActionRepository(dataSource));
        PushRuleNotificationCounts pushCounts = parts.push() == null ? null
                : new PushRuleNotificationCounts(reads, timeline, parts.push(), notifiedUsers, rooms.recent, threads);
        NotificationCounts counts = pushCounts != null ? pushCounts
                : new ReceiptNotificationCounts(receiptRepository, queries);
        StateSections states = new StateSections(new StateSections.Parts(queries, timeline, rooms.snapshots,
                rooms.eventCache, rooms.recent));
        TimelineWindows windows = new TimelineWindows(timeline, parts.visibility(), rooms.recent);
        RoomSummaries summaries = new RoomSummaries(queries, states, rooms.eventCache, rooms.recent);
        SyncEventFormat format = new SyncEventFormat(parts.clientEvents());
        RoomBuilder builder = new RoomBuilder(new RoomBuilder.Parts(windows, states, summaries, counts, format,
                rooms.eventCache, rooms.recent));
        UserMemberships memberships = new UserMemberships(new MembershipHistory(dataSource), timelineChanges);
        StreamChangeCache memberRooms = memberRooms(rooms);
        SharedRooms sharedRooms = new SharedRooms(queries, memberships, memberRooms, rooms.streams);
        SyncPresence presence = parts.presence() == null ? SyncPresence.NONE
                : new PresenceForSync(parts.presence(), sharedRooms);
        Ephemerals ephemerals = new Ephemerals(receiptRepository, typing, rooms.streams.changes(StreamId.RECEIPTS));
        StrippedStates stripped = new StrippedStates(rooms.eventStates, rooms.eventCache);
        RoomSections sections = new RoomSections(new RoomSections.Parts(memberships, queries, builder, ephemerals,
                stripped, rooms.eventCache, accountData.ignoredUsers()), timelineChanges);
        this.deviceListChanges = new DeviceListChanges(new DeviceListChanges.Parts(deviceLists,
                new MembershipChanges(dataSource), queries, memberships, rooms.streams.changes(StreamId.DEVICE_LISTS),
                memberRooms));
        ToDeviceInbox inbox = new ToDeviceInbox(toDevice, rooms.streams);
        this.shared = new Shared(windows, states, summaries, counts, format, memberships, ephemerals, stripped, inbox,
                deviceListChanges, parts.keyCounts(), accountData);
        this.sync = new Sync(rooms.streams, rooms.notifier, sections, new Sync.Sources(new AccountDataRepository(dataSource),
                accountData, inbox, deviceListChanges, parts.keyCounts(), memberships, presence));
        RoomAccess access = new RoomAccess(rooms.heads, rooms.eventStates, rooms.eventCache, rooms.memberships,
                timeline);
        this.eventStream = new EventStream(new EventStream.Parts(rooms.streams, rooms.notifier, memberships, access,
                timeline, rooms.recent, rooms.eventCache, parts.visibility(), parts.clientEvents(), ephemerals, presence,
                new AccountDataRepository(dataSource)));
        this.initialSync = new InitialSync(new InitialSync.Parts(rooms.streams, memberships, access,
                new RoomTimeline(access, timeline, rooms.eventCache, parts.visibility(), parts.clientEvents()),
                rooms.eventCache, parts.clientEvents(), ephemerals, presence, new AccountDataRepository(dataSource),
                new RoomDirectoryRepository(dataSource)));
        caches.putAll(filters.caches());
        caches.putAll(accountData.caches());
        caches.putAll(reads.caches());
        if (pushCounts != null) {
            caches.putAll(pushCounts.caches());
        }
        caches.putAll(states.caches());
        caches.putAll(summaries.caches());
        caches.putAll(memberships.caches());
        caches.putAll(inbox.caches());
        if (parts.presence() != null) {
            caches.putAll(sharedRooms.caches());
        }
    }

    /** Sync's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return Map.copyOf(caches);
    }

    /**
     * The rooms whose membership changed on the timeline, by position, remembered as events
     * commit: device list tracking looks for newly shared and no longer shared rooms only there.
     */
    private static StreamChangeCache memberRooms(RoomServices rooms) {
        StreamChangeCache memberRooms = new StreamChangeCache(rooms.streams.position(StreamId.TIMELINE),
                MEMBER_ROOMS_REMEMBERED);
        rooms.onCommit(batch -> {
            for (PersistedEvent e : batch) {
                if (e.visible() && e.streamOrdering() != null && e.streamOrdering() > 0
                        && e.pdu().type().equals("m.room.member")) {
                    memberRooms.record(e.pdu().roomId(), e.streamOrdering());
                }
            }
        });
        return memberRooms;
    }

    @Override
    public void close() {
        typing.close();
    }
}
