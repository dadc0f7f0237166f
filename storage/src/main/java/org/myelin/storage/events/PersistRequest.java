package org.myelin.storage.events;

import org.myelin.protocol.event.Pdu;
import org.myelin.storage.state.StateSnapshot;

import java.util.Objects;

/**
 * Everything the pipeline decided about one event, to be written in one transaction.
 *
 * @param pdu            the event
 * @param placement      where the event goes: the live timeline, backfilled history, or nowhere (outlier)
 * @param rejectedReason why auth rejected it, or null; a rejected event is stored only so it is not fetched again
 * @param softFailed     passed auth against its own state but not the room's current state
 * @param stateBefore    the state before the event (null for outliers and rejected events)
 * @param stateAfter     the state after it: {@code stateBefore} for a message, a child of it for a state event
 * @param newCurrentState the room's new current state, or null if unchanged
 * @param membershipChanges memberships that the new current state changes
 * @param newForwardExtremities the room's forward extremities once this event is in, as the
 *                 pipeline computed them (it holds the room's head); null leaves them unchanged
 * @param clientTransaction the client transaction a local user sent the event with, recorded in
 *                 the same commit: an acknowledged send is then found by a retry whenever the
 *                 server stops; null when none
 * @param joinRulesAndVisibilityKept whether {@code newCurrentState} is known to hold the same join
 *                 rules and history visibility events as the room's current state before it, so
 *                 that whether the room is public to the user directory is not judged again
 *                 (false: not known, judged)
 */
public record PersistRequest(Pdu pdu, Placement placement, String rejectedReason, boolean softFailed,
                             StateSnapshot stateBefore, StateSnapshot stateAfter, StateSnapshot newCurrentState,
                             java.util.List<MembershipChange> membershipChanges,
                             java.util.List<String> newForwardExtremities,
                             ClientTransactionRepository.Key clientTransaction, boolean joinRulesAndVisibilityKept) {

    public PersistRequest(Pdu pdu, Placement placement, String rejectedReason, boolean softFailed,
                          StateSnapshot stateBefore, StateSnapshot stateAfter, StateSnapshot newCurrentState,
                          java.util.List<MembershipChange> membershipChanges,
                          java.util.List<String> newForwardExtremities,
                          ClientTransactionRepository.Key clientTransaction) {
        this(pdu, placement, rejectedReason, softFailed, stateBefore, stateAfter, newCurrentState, membershipChanges,
                newForwardExtremities, clientTransaction, false);
    }

    public PersistRequest(Pdu pdu, Placement placement, String rejectedReason, boolean softFailed,
                          StateSnapshot stateBefore, StateSnapshot stateAfter, StateSnapshot newCurrentState,
                          java.util.List<MembershipChange> membershipChanges,
                          java.util.List<String> newForwardExtremities) {
        this(pdu, placement, rejectedReason, softFailed, stateBefore, stateAfter, newCurrentState, membershipChanges,
                newForwardExtremities, null);
    }

    /** This request, also recording {@code transaction} (null: none). */
    public PersistRequest withClientTransaction(ClientTransactionRepository.Key transaction) {
        return new PersistRequest(pdu, placement, rejectedReason, softFailed, stateBefore, stateAfter,
                newCurrentState, membershipChanges, newForwardExtremities, transaction, joinRulesAndVisibilityKept);
    }

    /** This request, its new current state known to keep the join rules and history visibility it had. */
    public PersistRequest keepingJoinRulesAndVisibility() {
        return new PersistRequest(pdu, placement, rejectedReason, softFailed, stateBefore, stateAfter,
                newCurrentState, membershipChanges, newForwardExtremities, clientTransaction, true);
    }

    public PersistRequest(Pdu pdu, Placement placement, String rejectedReason, boolean softFailed,
                          StateSnapshot stateBefore, StateSnapshot stateAfter, StateSnapshot newCurrentState,
                          java.util.List<MembershipChange> membershipChanges) {
        this(pdu, placement, rejectedReason, softFailed, stateBefore, stateAfter, newCurrentState, membershipChanges,
                null, null);
    }

    /** A user's membership in the room's current state, as set by {@code eventId}. */
    public record MembershipChange(String userId, String membership, String eventId) {
    }

    /** Where an event is placed in the room's order. */
    public enum Placement {
        /** A new event: the next position in the timeline; it becomes a forward extremity. */
        LIVE,
        /** Older history fetched later: a negative position before everything else. */
        BACKFILLED,
        /** No position: known for auth or state, not part of the timeline. */
        OUTLIER,
        /**
         * An outlier with a timeline position: a membership of a local user in a room this server is
         * not in (an invite received, an invite rejected through another server, a knock), which
         * /sync must report. Its membership is recorded; it has no state and no place in the graph.
         */
        OUT_OF_BAND
    }

    public PersistRequest {
        Objects.requireNonNull(pdu, "pdu");
        Objects.requireNonNull(placement, "placement");
        membershipChanges = membershipChanges == null ? java.util.List.of() : java.util.List.copyOf(membershipChanges);
        newForwardExtremities = newForwardExtremities == null ? null : java.util.List.copyOf(newForwardExtremities);
        // A rejection reason may quote the event ("unknown membership …"), whose strings may hold
        // U+0000, which a text column cannot.
        rejectedReason = rejectedReason == null ? null : rejectedReason.replace('\0', ' ');
        if (isPlaced(placement) && rejectedReason == null) {
            Objects.requireNonNull(stateBefore, "stateBefore");
            Objects.requireNonNull(stateAfter, "stateAfter");
        }
    }

    public static PersistRequest outlier(Pdu pdu, String rejectedReason) {
        return new PersistRequest(pdu, Placement.OUTLIER, rejectedReason, false, null, null, null, null);
    }

    /** A membership event of a room this server is not in, placed in the timeline for /sync (see {@link Placement#OUT_OF_BAND}). */
    public static PersistRequest outOfBand(Pdu pdu) {
        return new PersistRequest(pdu, Placement.OUT_OF_BAND, null, false, null, null, null,
                java.util.List.of(new MembershipChange(pdu.stateKey(), pdu.membership(), pdu.eventId())));
    }

    /** Whether the event is stored without state (an outlier, in or out of the timeline). */
    public boolean isOutlier() {
        return !isPlaced(placement);
    }

    private static boolean isPlaced(Placement placement) {
        return placement == Placement.LIVE || placement == Placement.BACKFILLED;
    }

    /** Whether the event moves the room's forward extremities. */
    boolean movesExtremities() {
        return placement == Placement.LIVE && !softFailed && hasState();
    }

    /** Whether the event gets a state entry and edges in the graph. */
    boolean hasState() {
        return isPlaced(placement) && rejectedReason == null;
    }
}
