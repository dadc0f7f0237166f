package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.client.sync.SyncResponse.EventBatch;
import org.myelin.server.client.sync.SyncResponse.JoinedRoom;
import org.myelin.server.client.sync.SyncResponse.LeftRoom;
import org.myelin.server.client.sync.SyncResponse.RoomSummary;
import org.myelin.server.client.sync.SyncResponse.Timeline;
import org.myelin.server.client.sync.filter.RoomFilter;
import org.myelin.server.streams.RecentTimeline;
import org.myelin.server.streams.StreamId;
import org.myelin.storage.events.StoredEvent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Builds the entry of one room the user is in ({@code join}) or has left ({@code leave}): its
 * timeline window, the state section for it, and beside it (joined rooms) the ephemeral events,
 * account data, summary and unread counts.
 */
final class RoomBuilder {

    /**
     * Which part of a room's timeline to show.
     *
     * @param after the position after which the window starts (null: from the beginning)
     * @param upTo  the window's end: now, or the user's leave
     * @param full  whether the state section is the full state rather than a delta from {@code after}
     */
    record Range(Long after, long upTo, boolean full) {
    }

    private final TimelineWindows windows;
    private final StateSections states;
    private final NotificationCounts counts;
    private final SyncEventFormat format;
    private final EventCache events;
    private final RoomSummaries summaries;
    private final RecentTimeline recent;

    /** What the builder reads from. */
    record Parts(TimelineWindows windows, StateSections states, RoomSummaries summaries, NotificationCounts counts,
                 SyncEventFormat format, EventCache events, RecentTimeline recent) {
    }

    RoomBuilder(Parts parts) {
        this.windows = parts.windows();
        this.states = parts.states();
        this.summaries = parts.summaries();
        this.counts = parts.counts();
        this.format = parts.format();
        this.events = parts.events();
        this.recent = parts.recent();
    }

    /**
     * About to build {@code roomIds} (the joined rooms with something to show): reads what their
     * entries need in a few statements for all of them, not a few per room.
     */
    void prepare(SyncPass p, Collection<String> roomIds) {
        if (roomIds.size() <= 1) {
            return;
        }
        counts.prepare(p.userId(), roomIds);
        if (!p.initial() && !p.fullState()) {
            // An incremental sync's state sections are deltas: the rooms' whole states are not sent.
            format.prepare(roomIds, List.of());
            return;
        }
        // The state sections of rooms without state changes in their windows are their current
        // state: what each of its events replaced is read for all rooms at once (members only
        // when they are all sent, not lazily).
        boolean allMembers = !p.filter().room().state().lazyLoadsMembers();
        List<String> stateEvents = new ArrayList<>();
        for (String roomId : roomIds) {
            recent.room(roomId).filter(r -> r.state() != null).ifPresent(r -> r.state().forEach((key, id) -> {
                if (allMembers || !key.type().equals(StateKey.MEMBER)) {
                    stateEvents.add(id);
                }
            }));
        }
        format.prepare(roomIds, stateEvents);
        // Summaries of rooms whose state is in memory, read together (the others room by room).
        summaries.prepare(p.userId(), roomIds, p.now().timeline());
    }

    /**
     * A joined room, or null when an incremental sync has nothing to say about it.
     *
     * @param quiet whether the room had no events in the range, so no timeline or state to compute
     */
    JoinedRoom joined(SyncPass p, String roomId, Range range, boolean quiet, List<ObjectNode> ephemeral) {
        List<ObjectNode> accountData = p.accountDataOf(roomId);
        if (quiet && !range.full()) {
            if (ephemeral.isEmpty() && accountData.isEmpty()) {
                return null;
            }
            Timeline empty = new Timeline(List.of(), false, p.now().with(StreamId.TIMELINE, range.upTo()).toString());
            SyncPass.StateSection state = p.stateSection(EventBatch.EMPTY);
            NotificationCounts.ByThread unread = unread(p, roomId, range.upTo());
            return new JoinedRoom(null, state.state(), state.stateAfter(), empty, new EventBatch(ephemeral),
                    new EventBatch(accountData), unread.main(), unread.threads());
        }
        RoomFilter filter = p.filter().room();
        TimelineWindows.Window window = windows.load(p.userId(), roomId, range, filter.timeline(), true);
        RoomSummary summary = range.full() || hasMembers(window.events().stream().map(StoredEvent::pdu).toList())
                ? summary(p.userId(), roomId, range.upTo()) : null;
        List<Pdu> state = states.section(new StateSections.Request(p.userId(), p.deviceId(), roomId, window.events(),
                range.full() ? null : range.after(), range.upTo(), filter.state(),
                summary == null || summary.heroes() == null ? List.of() : summary.heroes(), p.useStateAfter()));
        if (!range.full() && window.isEmpty() && state.isEmpty() && ephemeral.isEmpty() && accountData.isEmpty()) {
            return null;
        }
        if (summary == null && hasMembers(state)) {
            summary = summary(p.userId(), roomId, range.upTo());
        }
        SyncPass.StateSection sections = p.stateSection(new EventBatch(format(p, state)));
        NotificationCounts.ByThread unread = unread(p, roomId, range.upTo());
        return new JoinedRoom(summary, sections.state(), sections.stateAfter(), timeline(p, window, range),
                new EventBatch(ephemeral), new EventBatch(accountData), unread.main(), unread.threads());
    }

    /**
     * The room's unread counts: thread by thread when the filter's timeline asks for
     * {@code unread_thread_notifications} (spec "Threaded read receipts"), else every thread
     * together (no thread counts then).
     */
    private NotificationCounts.ByThread unread(SyncPass p, String roomId, long upTo) {
        if (Boolean.TRUE.equals(p.filter().room().timeline().unreadThreadNotifications())) {
            return counts.countByThread(p.userId(), roomId, upTo);
        }
        return new NotificationCounts.ByThread(counts.count(p.userId(), roomId, upTo), null);
    }

    /** A room the user left, its timeline ending with the leave. */
    LeftRoom left(SyncPass p, String roomId, Range range) {
        RoomFilter filter = p.filter().room();
        TimelineWindows.Window window = windows.load(p.userId(), roomId, range, filter.timeline(), false);
        List<Pdu> state = states.section(new StateSections.Request(p.userId(), p.deviceId(), roomId, window.events(),
                range.full() ? null : range.after(), range.upTo(), filter.state(), List.of(), p.useStateAfter()));
        SyncPass.StateSection sections = p.stateSection(new EventBatch(format(p, state)));
        return new LeftRoom(sections.state(), sections.stateAfter(), timeline(p, window, range), new EventBatch(p.accountDataOf(roomId)));
    }

    /** A room the user left without having been in it (a rejected invite, a withdrawn knock): the leave alone. */
    LeftRoom leftUnseen(SyncPass p, String roomId, String leaveEventId, long leavePosition) {
        Pdu leave = events.get(leaveEventId);
        List<ObjectNode> timeline = leave == null ? List.of() : format.format(List.of(leave), p.userId(), p.deviceId(),
                p.filter());
        SyncPass.StateSection state = p.stateSection(EventBatch.EMPTY);
        return new LeftRoom(state.state(), state.stateAfter(), new Timeline(timeline, false,
                p.now().with(StreamId.TIMELINE, leavePosition - 1).toString()), new EventBatch(p.accountDataOf(roomId)));
    }

    private Timeline timeline(SyncPass p, TimelineWindows.Window window, Range range) {
        List<Pdu> pdus = window.events().stream().map(StoredEvent::pdu).toList();
        return new Timeline(format.format(pdus, p.userId(), p.deviceId(), p.filter()), window.limited(),
                p.now().with(StreamId.TIMELINE, window.prevBatchPosition(range.upTo())).toString());
    }

    private List<ObjectNode> format(SyncPass p, List<Pdu> state) {
        return format.format(state, p.userId(), p.deviceId(), p.filter());
    }

    /** The summary: member counts, and heroes when the room has neither a name nor a canonical alias. */
    private RoomSummary summary(String userId, String roomId, long upTo) {
        RoomSummaries.Summary summary = summaries.of(userId, roomId, upTo);
        return new RoomSummary(summary.named() ? null : summary.members().heroes(), summary.members().joined(),
                summary.members().invited());
    }

    private static boolean hasMembers(List<Pdu> events) {
        return events.stream().anyMatch(e -> e.type().equals(StateKey.MEMBER) && e.isState());
    }
}
