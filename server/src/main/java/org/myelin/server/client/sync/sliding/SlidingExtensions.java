package org.myelin.server.client.sync.sliding;

import org.myelin.server.client.sync.DeviceKeyCounts;
import org.myelin.server.client.sync.DeviceListChanges;
import org.myelin.server.client.sync.ToDeviceInbox;
import org.myelin.server.client.sync.sliding.SlidingSyncRequest.ExtensionsRequest;
import org.myelin.server.client.sync.sliding.SlidingSyncRequest.RoomScoped;
import org.myelin.server.client.sync.sliding.SlidingSyncResponse.DeviceLists;
import org.myelin.server.client.sync.sliding.SlidingSyncResponse.E2ee;
import org.myelin.server.client.sync.sliding.SlidingSyncResponse.Extensions;
import org.myelin.server.client.sync.sliding.SlidingSyncResponse.RoomEvents;
import org.myelin.server.client.sync.sliding.SlidingSyncResponse.RoomResult;
import org.myelin.server.client.sync.sliding.SlidingSyncResponse.ToDevice;
import org.myelin.server.client.sync.Ephemerals;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.SyncToken;
import org.myelin.storage.keys.OneTimeKeyRepository.Counts;
import org.myelin.storage.streams.ToDeviceRepository;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sliding sync's extensions (MSC4186 and the MSCs it names), each from /sync's implementation of
 * its stream: {@code to_device} (MSC3885: the device's messages after {@code since}, those up to
 * it deleted as delivered), {@code e2ee} (MSC3884: device list changes since the previous
 * response, key counts), {@code account_data} (MSC3959, {@link AccountDataExtension}),
 * {@code receipts} (MSC3960, {@link ReceiptsExtension}) and {@code typing} (MSC3961). The room
 * extensions cover the rooms of the lists and subscriptions they name ({@code *}: all) that are
 * in this response's windows.
 */
final class SlidingExtensions {

    /** One request's extensions to answer. */
    record Request(String userId, String deviceId, ExtensionsRequest asked, SyncToken from, SyncToken to,
                   RoomLists.Interested interested, Map<String, RoomResult> rooms) {

        /** The rooms {@code scope} covers. */
        Set<String> rooms(RoomScoped scope) {
            Set<String> covered = new HashSet<>();
            for (String roomId : scope.rooms()) {
                if (roomId.equals("*")) {
                    covered.addAll(interested.relevant().keySet());
                    break;
                }
                if (interested.relevant().containsKey(roomId)) {
                    covered.add(roomId);
                }
            }
            for (String list : scope.lists()) {
                if (list.equals("*")) {
                    interested.listRooms().values().forEach(covered::addAll);
                    break;
                }
                covered.addAll(interested.listRooms().getOrDefault(list, List.of()));
            }
            return covered;
        }
    }

    private final ToDeviceInbox inbox;
    private final DeviceListChanges deviceLists;
    private final DeviceKeyCounts keyCounts;
    private final AccountDataExtension accountData;
    private final ReceiptsExtension receipts;
    private final Ephemerals ephemerals;

    /** What the extensions read. */
    record Parts(ToDeviceInbox inbox, DeviceListChanges deviceLists, DeviceKeyCounts keyCounts,
                 AccountDataExtension accountData, ReceiptsExtension receipts, Ephemerals ephemerals) {
    }

    SlidingExtensions(Parts parts) {
        this.inbox = parts.inbox();
        this.deviceLists = parts.deviceLists();
        this.keyCounts = parts.keyCounts();
        this.accountData = parts.accountData();
        this.receipts = parts.receipts();
        this.ephemerals = parts.ephemerals();
    }

    Extensions answer(Request r, ConnectionState previous, ConnectionState.Builder state) {
        ExtensionsRequest asked = r.asked();
        return new Extensions(asked.toDevice() == null ? null : toDevice(r, asked.toDevice()),
                asked.e2ee() ? e2ee(r) : null,
                asked.accountData() == null ? null : accountData.answer(r, asked.accountData(), previous, state),
                asked.receipts() == null ? null : receipts.answer(r, asked.receipts(), previous, state),
                asked.typing() == null ? null : typing(r, asked.typing()));
    }

    /** MSC3885, as Synapse: at most 100 messages; a {@code since} ahead of the stream gets nothing. */
    private ToDevice toDevice(Request r, SlidingSyncRequest.ToDevice asked) {
        long upTo = r.to().position(StreamId.TO_DEVICE);
        long since = asked.since() == null ? 0 : asked.since();
        int limit = Math.min(asked.limit(), ToDeviceInbox.LIMIT);
        if (r.deviceId() == null || since > upTo || limit <= 0) {
            return new ToDevice(Long.toString(r.deviceId() == null ? upTo : since), List.of());
        }
        List<ToDeviceRepository.Message> messages = inbox.deliver(r.userId(), r.deviceId(), since, upTo, limit);
        long next = messages.size() == limit ? messages.getLast().position() : upTo;
        return new ToDevice(Long.toString(next), ToDeviceInbox.events(messages));
    }

    /** MSC3884: key counts always (clients read absence as none), device lists on an incremental request. */
    private E2ee e2ee(Request r) {
        DeviceLists lists = null;
        if (r.from() != null) {
            var changes = deviceLists.between(r.userId(), r.from(), r.to());
            lists = new DeviceLists(changes.changed(), changes.left());
        }
        Counts counts = r.deviceId() == null ? Counts.NONE : keyCounts.of(r.userId(), r.deviceId());
        return new E2ee(counts.oneTimeKeys() == null ? Map.of() : counts.oneTimeKeys(),
                counts.unusedFallbacks() == null ? List.of() : counts.unusedFallbacks(), lists);
    }

    /** MSC3961: who types in each covered room, where that changed since the previous response. */
    private RoomEvents typing(Request r, RoomScoped scope) {
        long now = r.to().position(StreamId.TYPING);
        // Typing positions restart with the process: a position from before is read from the start.
        long after = r.from() == null || r.from().position(StreamId.TYPING) > now ? 0
                : r.from().position(StreamId.TYPING);
        Map<String, ObjectNode> rooms = new LinkedHashMap<>();
        for (String roomId : r.rooms(scope)) {
            ephemerals.typing(roomId, after).ifPresent(event -> rooms.put(roomId, event));
        }
        return new RoomEvents(rooms);
    }
}
