package io.dstk.ratelimit;

import io.dstk.ratelimit.internal.FileBudgetStore;
import io.dstk.ratelimit.internal.InMemoryBudgetStore;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a {@link Budget} keeps its state between restarts; the seam where a cluster-wide store will plug in.
 *
 * <p>A budget loads its state once when built and saves it after every change, before it runs any action, so
 * a crash never loses a trip. Implementations must be thread safe; one budget name belongs to one budget
 * instance (a store is not a lock between processes).
 */
public interface BudgetStore {

    /**
     * Reads a budget's state.
     *
     * @param budgetName the budget's name
     * @return the stored state, or empty if none was ever saved
     * @throws BudgetStoreException if the state cannot be read or is corrupt
     */
    Optional<BudgetState> load(String budgetName);

    /**
     * Replaces a budget's state durably.
     *
     * @param state the new state
     * @throws BudgetStoreException if it cannot be written; the previous state is then still intact
     */
    void save(BudgetState state);

    /**
     * Returns a store that keeps nothing across restarts (the default of a budget).
     *
     * @return a new, empty in-memory store
     */
    static BudgetStore inMemory() {
        return new InMemoryBudgetStore();
    }

    /**
     * Returns a store that keeps each budget in {@code <directory>/<name>.budget}, in the versioned text format
     * of docs/ratelimit.md, replaced atomically (write to a temporary file, fsync, rename).
     *
     * @param directory an existing, writable directory
     * @return a file store
     * @throws NullPointerException if {@code directory} is null
     */
    static BudgetStore file(Path directory) {
        return new FileBudgetStore(directory);
    }
}
