#!/usr/bin/perl
# Your adapter: fill in the hello fields and sign. Protocol.pm (the JSON-lines loop) is done.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Protocol;

# Signs one request with the library under test. Rules (harness/PROTOCOL.md):
# - sign at Protocol::signing_epoch($msg), never the clock (patch it where the library reads it);
# - hand $msg->{request}{target} to the library as given;
# - die Protocol::unsupported('why') for a setting in $msg->{settings} it cannot express;
# - die with a message when the library refuses the input.
# Returns { signed => { method => ..., target => ..., headers => [[name, value], ...] },
#           canonical_request => ..., string_to_sign => ..., signature => ... } (last three optional).
sub sign {
    my ($msg) = @_;
    die Protocol::unsupported('not implemented yet: fill in sign in adapter.pl');
}

# reveals: the artifacts sign returns. A third argument 2 speaks protocol 2 (SigV4a).
Protocol::run({ name => 'my-signer', version => '0.0.0', language => 'perl', reveals => [] }, \&sign);
