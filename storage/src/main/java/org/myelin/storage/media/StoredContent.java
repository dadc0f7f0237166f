package org.myelin.storage.media;

/** Content held by a {@link MediaStore}: its hash, which names it there, and its length in bytes. */
public record StoredContent(Sha256 sha256, long size) {}
