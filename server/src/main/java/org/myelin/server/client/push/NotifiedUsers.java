package org.myelin.server.client.push;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.push.PushActions;
import org.myelin.server.client.rooms.IgnoredSenders;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.push.PushActionRepository;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Which local users each event notifies, and how: the users' push rules are evaluated once per
 * event, as the event arrives ({@link EventPushActions}), and what they gave is kept for the recent
 * events and stored for all ({@link PushActionRecorder}). The {@code unread_notifications} of
 * /sync count them, as Synapse counts its {@code event_push_actions}: what an event gives a user is
 * fixed when it arrives, and a later change of the user's push rules applies to later events.
 *
 * <p>Whoever asks first evaluates: a /sync woken by an event usually runs before the recorder
 * reaches it, and then the recorder stores what the sync evaluated; one woken later, or the
 * recorder, reuses it. An event evicted from memory is read back from the stored push actions
 * once the recorder has passed it.
 */
public final class NotifiedUsers {

    /** What an event gives a user: it notifies them; it highlights. */
    public static final byte NOTIFIES = 1;
    public static final byte HIGHLIGHTS = 2;
    /** Push actions kept in memory over all events (an event that notifies nobody counts one). */
    static final long ACTIONS_REMEMBERED = 200_000;

    private final EventPushActions evaluate;
    private final PushActionRepository stored;
    private final Cache<String, Map<String, PushActions>> byEvent = Caffeine.newBuilder()
            .maximumWeight(ACTIONS_REMEMBERED)
            .<String, Map<String, PushActions>>weigher((eventId, notified) -> 1 + notified.size())
            .build();
    /** The position up to which every event's actions are stored (the recorder's). */
    private volatile long storedUpTo;

    /**
     * @param serverName this server's name: whose users are local
     * @param ignored    whom each user ignores: events of those users notify nobody
     */
    public NotifiedUsers(String serverName, PushEvaluation push, IgnoredSenders ignored, PushActionRepository stored) {
        this.evaluate = new EventPushActions(serverName, push, ignored);
        this.stored = stored;
    }

    /**
     * The actions of {@code event} for each local user it notifies, evaluated with
     * {@code facts} the first time anyone asks.
     */
    Map<String, PushActions> of(Pdu event, Function<String, PushEvaluation.RoomFacts> facts) {
        // Those asking while it is evaluated wait for it: the syncs one message wakes all ask at
        // once, and each used to evaluate it again while the first one read the room's members.
        return byEvent.get(event.eventId(), id -> Map.copyOf(evaluate.of(event, facts)));
    }

    /** The recorder stored the actions of every event up to {@code position}. */
    void storedUpTo(long position) {
        storedUpTo = Math.max(storedUpTo, position);
    }

    /**
     * What each of {@code events} gives {@code userId} ({@link #NOTIFIES}, {@link #HIGHLIGHTS}; 0 for
     * nothing, and for the user's own events), in order. Events neither in memory nor stored yet
     * are evaluated with {@code facts}; those stored and no longer in memory are read back in one
     * statement.
     */
    public byte[] flags(String userId, List<StoredEvent> events, Function<String, PushEvaluation.RoomFacts> facts) {
        byte[] flags = new byte[events.size()];
        long storedUpTo = this.storedUpTo;
        List<Integer> forgotten = new ArrayList<>();
        for (int i = 0; i < flags.length; i++) {
            StoredEvent e = events.get(i);
            if (e.pdu().sender().equals(userId)) {
                continue;
            }
            Map<String, PushActions> notified = byEvent.getIfPresent(e.eventId());
            if (notified == null && e.streamOrdering() <= storedUpTo) {
                forgotten.add(i);
                continue;
            }
            if (notified == null) {
                notified = of(e.pdu(), facts);
            }
            flags[i] = flagsOf(notified.get(userId));
        }
        if (!forgotten.isEmpty()) {
            Map<String, Boolean> highlights = stored.highlightsOf(userId,
                    forgotten.stream().map(i -> events.get(i).eventId()).toList());
            for (int i : forgotten) {
                Boolean highlight = highlights.get(events.get(i).eventId());
                flags[i] = highlight == null ? 0 : highlight ? NOTIFIES | HIGHLIGHTS : NOTIFIES;
            }
        }
        return flags;
    }

    private static byte flagsOf(PushActions actions) {
        if (actions == null) {
            return 0;
        }
        return actions.highlights() ? NOTIFIES | HIGHLIGHTS : NOTIFIES;
    }
}
