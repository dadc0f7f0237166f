package org.myelin.storage.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.myelin.storage.Transactions;

/**
 * Deletes content from the {@link MediaStore} once no media row names it, ordered against the
 * uploads that may be naming it again at that moment (see {@link MediaStore}): both sides take
 * one PostgreSQL advisory lock per content, so that they hold across processes too. A deleter
 * checks that no row names the content and deletes it under the lock; an upload, after inserting
 * the row that names its content, checks under the lock that the content is still there
 * ({@link #stillStored}). Whichever comes first, no row is left naming deleted content unnoticed:
 * either the deleter sees the new row and keeps the content, or the upload sees the content gone
 * and fails.
 */
public final class ContentCollector {

    private final DataSource dataSource;
    private final MediaStore store;

    public ContentCollector(DataSource dataSource, MediaStore store) {
        this.dataSource = dataSource;
        this.store = store;
    }

    /** Deletes {@code content} if no media row names it; whether it was deleted. */
    public boolean deleteIfUnreferenced(Sha256 content) {
        return Transactions.inTransaction(dataSource, c -> {
            lock(c, content);
            if (MediaRepository.references(c, content) > 0) {
                return false;
            }
            try {
                store.delete(content);
            } catch (IOException e) {
                throw new UncheckedIOException("media store: cannot delete " + content.hex(), e);
            }
            return true;
        });
    }

    /**
     * Whether {@code content}, named by a row just committed, is still in the store: false if a
     * deleter removed it between its storing and that row.
     */
    public boolean stillStored(Sha256 content) {
        return Transactions.inTransaction(dataSource, c -> {
            lock(c, content);
            try {
                return store.exists(content);
            } catch (IOException e) {
                throw new UncheckedIOException("media store: cannot look for " + content.hex(), e);
            }
        });
    }

    private static void lock(Connection c, Sha256 content) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            ps.setString(1, "media content " + content.hex());
            ps.executeQuery().close();
        }
    }
}
