package dev.fovea.nn;

/** Name handling shared by the merge layers; see {@link BaseLayer} for the single-input family. */
abstract class BaseMerge implements MergeLayer {
    private String name;

    @Override
    public String name() {
        return name == null ? Names.snake(typeName()) : name;
    }

    @Override
    public void setName(String name) {
        this.name = name;
    }

    boolean hasName() {
        return name != null;
    }
}
