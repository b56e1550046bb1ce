/**
 * Worker ids leased from a cluster: {@link io.dstk.idgen.cluster.ClusterWorkerIdSource}. Needs
 * {@code io.dstk:toolkit-store} (an optional dependency of toolkit-idgen) on the class path; nothing outside this
 * package refers to it, so local use of toolkit-idgen loads neither the store nor JGroups.
 */
package io.dstk.idgen.cluster;
