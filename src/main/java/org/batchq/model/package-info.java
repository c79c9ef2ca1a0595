/** Model bundles on disk: native learner files plus a manifest with settings, provenance, hashes, diagnostics. */
package org.batchq.model;
