/** JSON as Matrix needs it: strict parsing and canonical encoding (appendices, "Signing JSON"). */
package org.myelin.protocol.json;
