package org.myelin.storage.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the bytes of media live, named by their SHA-256 ({@link Sha256}): the same content
 * uploaded twice, under two media ids, is stored once. What each media id is (its uploader, type,
 * name, and which hash holds its content) is PostgreSQL's business ({@link MediaRepository});
 * this interface knows only blobs. Methods block (disk or network I/O): call them from virtual
 * threads, never from an event loop.
 *
 * <p>{@link LocalMediaStore} keeps blobs in a directory. Another store (S3 and compatible object
 * stores, shared by several Myelin processes, as DESIGN.md plans) implements the same five
 * methods: {@link #put} spools the stream to a local temporary file while hashing it (the key is
 * known only at the end), then uploads it as {@code sha256/<hash>} unless an object of that key
 * exists; {@link #file} downloads an object into a local cache directory on first use and gives
 * that file's path (what Synapse's storage providers do: fetch into the local media store, then
 * serve from it), so that senders keep using zero-copy {@code sendfile}; {@link #open},
 * {@link #exists} and {@link #delete} are a GET, a HEAD and a DELETE of the key.
 *
 * <p>Deleting is the caller's to order: a blob may be deleted only once no media row names its
 * hash (local and remote media and their thumbnails), and while no upload of the same bytes is in
 * progress, or that upload's new row would name a deleted blob. Whoever deletes (retention, the
 * admin API) serialises the two.
 */
public interface MediaStore {

    /**
     * Reads {@code content} to its end and stores it. Nothing is visible under the returned hash
     * until it is stored whole and durably; if the content was already stored, it is kept as it
     * was and this copy dropped.
     *
     * @throws ContentTooLargeException if {@code content} holds more than {@code maxBytes} bytes; it
     *                                  is read no further and nothing of it is kept
     * @throws IOException              if reading {@code content} or writing the store fails; nothing
     *                                  of it is kept
     */
    StoredContent put(InputStream content, long maxBytes) throws IOException;

    /**
     * A file on this machine holding the content, to send it without copying it through the
     * heap; empty if the store holds no such content.
     */
    Optional<Path> file(Sha256 sha256) throws IOException;

    /** The content as a stream; empty if the store holds no such content. */
    Optional<InputStream> open(Sha256 sha256) throws IOException;

    boolean exists(Sha256 sha256) throws IOException;

    /** Removes the content if present (see the class comment for when that is safe). */
    void delete(Sha256 sha256) throws IOException;
}
