// Package road is the UDP half of RAET: the road stack. It holds the
// estates (local and remote), the transactions between them (join, allow,
// alive, message, stale; raet-protocol.md section 4), their timers, the keep
// glue and the Stack that runs them over a connection.
//
// The packet codec is not here: head, coat, foot and trays live in package
// wire, which knows nothing of the stack, so that the stack is the codec's
// user and not its home.
package road
