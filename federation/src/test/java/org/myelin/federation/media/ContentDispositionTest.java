package org.myelin.federation.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The file name of remote media, read from its {@code Content-Disposition} as Synapse reads it. */
class ContentDispositionTest {

    @Test
    void readsTokensQuotedStringsAndUtf8ExtendedValues() {
        assertEquals(Optional.of("cat.png"), ContentDisposition.fileName("inline; filename=cat.png"));
        assertEquals(Optional.of("my \"cat\"; 1.png"),
                ContentDisposition.fileName("attachment; filename=\"my \\\"cat\\\"; 1.png\""));
        assertEquals(Optional.of("chat noir ☃.png"),
                ContentDisposition.fileName("inline; filename*=utf-8''chat%20noir%20%E2%98%83.png"));
        assertEquals(Optional.of("ü.txt"),
                ContentDisposition.fileName("attachment; filename=fallback.txt; filename*=UTF-8'de'%C3%BC.txt"));
    }

    @Test
    void givesNothingItCannotRead() {
        assertEquals(Optional.empty(), ContentDisposition.fileName(null));
        assertEquals(Optional.empty(), ContentDisposition.fileName("inline"));
        assertEquals(Optional.empty(), ContentDisposition.fileName("inline; filename*=iso-8859-1''%E9.txt"));
        assertEquals(Optional.empty(), ContentDisposition.fileName("inline; filename*=utf-8''%FF.txt"));
        assertEquals(Optional.empty(), ContentDisposition.fileName("inline; filename=\"caf\u00e9.txt\""));
    }
}
