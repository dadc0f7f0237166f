package org.myelin.server.client.directory;

import java.util.List;

/**
 * What a client asks of a published room directory ({@code GET} or {@code POST /publicRooms}).
 *
 * @param limit      at most this many rooms; null for the server's default
 * @param since      a {@code next_batch} or {@code prev_batch} token; null for the first page
 * @param searchTerm {@code filter.generic_search_term}; null for no search
 * @param roomTypes  {@code filter.room_types} (a null entry stands for rooms without a type);
 *                   null for every type
 */
public record PublicRoomsQuery(Integer limit, String since, String searchTerm, List<String> roomTypes) {
}
