package dev.tripletcuda.io;

/**
 * Samples to embed, verify or search with, labelled or not.
 *
 * @param data the rows; when unlabelled every row has class id 0 named {@link #UNLABELLED}
 * @param labelled whether the file gave labels
 */
public record Samples(Dataset data, boolean labelled) {

  /** The one class name of unlabelled samples. */
  public static final String UNLABELLED = "(unlabelled)";

  /** Number of samples. */
  public int rows() {
    return data.rows();
  }
}
