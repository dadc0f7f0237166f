// matrix-bot-sdk (under matrix-appservice-bridge) requires the Rust crypto binding when it is
// loaded and uses it only for end-to-end encryption, which the interop bridge does not turn on.
// The binding's binary is not on npm (its postinstall fetches it from GitHub), so this empty
// module stands in: any use of encryption would fail loudly ("… is not a constructor").
module.exports = {};
