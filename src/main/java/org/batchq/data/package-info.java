/**
 * Datasets: the Parquet transition format (one schema for writer, reader and docs), Arrow batches as the
 * in-memory form, streaming writers and validating readers for batchq's own and foreign files.
 */
package org.batchq.data;
