/** File plumbing shared by every writer and reader: atomic publishing, hashing, the bad-input error. */
package org.batchq.io;
