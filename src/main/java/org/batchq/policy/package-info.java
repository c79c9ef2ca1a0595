/** Acting: the uniform random policy, and greedy or epsilon-greedy policies over a saved model bundle. */
package org.batchq.policy;
