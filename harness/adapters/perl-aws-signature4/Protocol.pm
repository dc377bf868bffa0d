# The harness's JSON-lines protocol (harness/PROTOCOL.md, versions 1 and 2): one message per
# line on stdin, one answer line on stdout, in order; exit 0 when stdin closes. Nothing here
# signs: the adapter's sign function does, through the library under test.
package Protocol;
use strict;
use warnings;
use JSON::PP;
use MIME::Base64 qw(decode_base64);
use Time::Local qw(timegm);

my $json = JSON::PP->new->utf8->canonical;

# die Protocol::unsupported("reason") from the sign function when the library cannot express
# a setting.
sub unsupported { return bless { reason => $_[0] }, 'Protocol::Unsupported' }

# The first value of a request header (case-insensitive), or undef.
sub header {
    my ($msg, $name) = @_;
    for my $h (@{ $msg->{request}{headers} }) {
        return $h->[1] if lc $h->[0] eq lc $name;
    }
    return undef;
}

sub body { return decode_base64($_[0]->{request}{body_b64}) }

# The message's time as seconds since the epoch (UTC).
sub signing_epoch {
    my ($msg) = @_;
    my ($y, $mo, $d, $h, $mi, $s) = $msg->{time} =~ /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z$/
        or die "time $msg->{time} is not RFC 3339 UTC\n";
    return timegm($s, $mi, $h, $d, $mo - 1, $y);
}

sub answer {
    my ($line, $hello, $max_protocol, $sign) = @_;
    my $msg = eval { $json->decode($line) };
    return { protocol => 1, id => undef, status => 'error', message => "not JSON: $@" } unless ref $msg eq 'HASH';
    my $proto = $msg->{protocol} // 0;
    my %base = (protocol => $proto, id => $msg->{id});
    unless ($proto == 1 || ($proto == 2 && $max_protocol >= 2)) {
        return { %base, protocol => 1, status => 'error', message => "protocol $proto not supported" };
    }
    my $op = $msg->{op} // '';
    if ($op eq 'hello') {
        my %out = (%base, status => 'ok', %$hello);
        $out{protocols} = [1, 2] if $max_protocol >= 2;
        return \%out;
    }
    return { %base, status => 'error', message => "unknown op $op" } unless $op eq 'sign';
    my $out = eval { $sign->($msg) };
    if (my $e = $@) {
        return { %base, status => 'unsupported', reason => $e->{reason} } if ref $e eq 'Protocol::Unsupported';
        chomp $e;
        return { %base, status => 'error', message => "$e" };
    }
    return { %base, status => 'ok', %$out };
}

# Runs the loop; $sign->($msg) returns
# { signed => { method => ..., target => ..., headers => [[name, value], ...] }, ... }.
sub run {
    my ($hello, $sign, $max_protocol) = @_;
    $max_protocol //= 1;
    $| = 1;
    binmode STDIN;
    binmode STDOUT;
    while (my $line = <STDIN>) {
        next if $line =~ /^\s*$/;
        print $json->encode(answer($line, $hello, $max_protocol, $sign)), "\n";
    }
}

1;
