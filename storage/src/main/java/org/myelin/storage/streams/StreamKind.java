package org.myelin.storage.streams;

/**
 * The streams whose positions are counted in {@code stream_positions}. The timeline is not among
 * them: its positions are the events' own {@code stream_ordering}, handed out by the persister.
 */
public enum StreamKind {
    RECEIPTS("receipts"),
    ACCOUNT_DATA("account_data"),
    TO_DEVICE("to_device"),
    DEVICE_LISTS("device_lists"),
    PRESENCE("presence");

    private final String key;

    StreamKind(String key) {
        this.key = key;
    }

    /** The row's key in {@code stream_positions}. */
    public String key() {
        return key;
    }
}
