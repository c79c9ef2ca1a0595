/** Online evaluation of policies in the simulator with paired (common random numbers) comparisons. */
package org.batchq.eval;
