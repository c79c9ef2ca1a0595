/** Environments stepped in lockstep under a policy, with the seeding contract; shared by collect and evaluate. */
package org.batchq.rollout;
