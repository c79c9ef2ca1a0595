/**
 * Fitted Q Iteration: the algorithm on one screen ({@link org.batchq.fqi.Fqi}), the regressors behind one small
 * interface ({@link org.batchq.learner.Regressor}), and loading datasets into its arrays with an episode split.
 */
package org.batchq.fqi;

import org.batchq.learner.Regressor;
