package dev.sodec.engine.graph;

/**
 * What a fused convolution or linear node does after its product and bias: {@code y = act(acc + bias)}, then
 * {@code + residual} when {@code residual} (the residual is the node's last input). Built by {@link Fusions} from
 * separate nodes; networks never write it themselves.
 */
public record Epilogue(Act act, boolean residual) {
    public static final Epilogue NONE = new Epilogue(null, false);

    public boolean isNone() {
        return act == null && !residual;
    }

    Epilogue withAct(Act a) {
        return new Epilogue(a, residual);
    }

    Epilogue withResidual() {
        return new Epilogue(act, true);
    }

    /** "+silu+residual" style suffix for profiles; empty when none. */
    public String label() {
        return (act == null ? "" : "+" + act.label()) + (residual ? "+residual" : "");
    }
}
