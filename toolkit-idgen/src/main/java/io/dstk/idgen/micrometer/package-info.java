/**
 * Micrometer binding for id generators; needs {@code io.micrometer:micrometer-core} (optional dependency).
 */
package io.dstk.idgen.micrometer;
