/**
 * The streams behind /sync (DESIGN.md, "Sync and streams") and the small API other modules use to
 * add to them.
 *
 * <p>A {@link org.myelin.server.streams.SyncToken} holds one position per
 * {@link org.myelin.server.streams.StreamId}: timeline, receipts, typing, account data, to-device,
 * device lists, presence; on the wire {@code s<timeline>_<receipts>_<typing>_<account data>_<to-device>_<device lists>_<presence>}.
 * {@link org.myelin.server.streams.Streams} keeps each stream's committed position in memory.
 *
 * <p>To add to a stream (presence, to-device messages, device list changes; receipts and account
 * data do the same):
 * <pre>{@code
 * // storage, inside the transaction that stores the change:
 * long position = StreamCounters.next(connection, StreamKind.PRESENCE);
 * // ... INSERT the change with that position ...
 * // server, after the commit:
 * streams.advanced(StreamId.PRESENCE, position, keysToWake);
 * }</pre>
 * {@code keysToWake} are notifier keys: a room id wakes everyone syncing that room, a user id wakes
 * that user's syncs. To-device messages and device lists already have their tables and
 * repositories ({@code ToDeviceRepository}, {@code DeviceListRepository}), which /sync reads;
 * presence is read through the {@code SyncPresence} port of the client sync package.
 */
package org.myelin.server.streams;
