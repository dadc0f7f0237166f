/**
 * The streams behind /sync (DESIGN.md, "Sync and streams") and the small API other modules use to
 * add to them.
 *
 * <p>A {@link org.myelin.server.streams.SyncToken} holds one position per
 * {@link org.myelin.server.streams.StreamId}: timeline, receipts, typing, account data, to-device,
 * device lists, presence; on the wire {@code s<timeline>_<receipts>_<typing>_<account data>_<to-device>_<device lists>_<presence>}.
 * {@link org.myelin.server.streams.Streams} keeps each stream's committed position in memory, and
 * beside it where each room and user last changed; the
 * {@link org.myelin.server.streams.RecentTimeline} keeps the newest events of each room.
 *
 * <p>To add to a stream (to-device messages, device list changes; receipts and account data do
 * the same):
 * <pre>{@code
 * streams.write(StreamId.TO_DEVICE, List.of(recipient), () -> {
 *     // storage, one transaction: long position = StreamCounters.next(connection, StreamKind.TO_DEVICE);
 *     // ... INSERT the change with that position ...; commit
 *     return OptionalLong.of(position);
 * });
 * }</pre>
 * The keys are notifier keys: a room id wakes everyone syncing that room, a user id wakes that
 * user's syncs. They are also what {@link org.myelin.server.streams.StreamChangeCache} remembers,
 * so /sync reads a stream only for the users and rooms whose keys changed: name the user a change
 * is for (account data, to-device) or its room (receipts). To-device messages and device lists already have their tables and
 * repositories ({@code ToDeviceRepository}, {@code DeviceListRepository}), which /sync reads;
 * presence is read through the {@code SyncPresence} port of the client sync package.
 */
package org.myelin.server.streams;
