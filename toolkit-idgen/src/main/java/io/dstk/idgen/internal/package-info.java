/**
 * Internals of toolkit-idgen: not an API, may change in any release.
 */
package io.dstk.idgen.internal;
