package io.dstk.ratelimit.internal;

import io.dstk.ratelimit.BudgetState;
import io.dstk.ratelimit.BudgetStore;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Keeps budget states in a map; nothing survives the process. */
public final class InMemoryBudgetStore implements BudgetStore {
    private final ConcurrentHashMap<String, BudgetState> states = new ConcurrentHashMap<>();

    @Override
    public Optional<BudgetState> load(String budgetName) {
        return Optional.ofNullable(states.get(Objects.requireNonNull(budgetName, "budgetName")));
    }

    @Override
    public void save(BudgetState state) {
        states.put(state.name(), state);
    }

    @Override
    public String toString() {
        return "BudgetStore.inMemory()";
    }
}
