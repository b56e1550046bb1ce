/**
 * Unique, time-ordered ids: Snowflake layouts ({@link io.dstk.idgen.IdGenerator#snowflake}), UUIDv7
 * ({@link io.dstk.idgen.UuidV7}), ULID ({@link io.dstk.idgen.Ulid}, {@link io.dstk.idgen.UlidGenerator}) and
 * short codes ({@link io.dstk.idgen.ShortCodes}). No runtime dependency.
 */
package io.dstk.idgen;
