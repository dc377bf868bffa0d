#!/usr/bin/perl
# The Perl adapter: AWS::Signature4 (Debian's libaws-signature4-perl) on an HTTP::Request.
# The library derives the service and region from the host name; the subclass below gives it
# the message's instead (its _scope method), and fixes its clock: _zulu_time, where it reads
# gmtime() for a request without an X-Amz-Date header, returns the message's time.
use strict;
use warnings;
use FindBin;
# The protocol loop is the Perl template's (one copy: ../templates/perl/Protocol.pm).
use lib "$FindBin::Bin/../templates/perl";
use Protocol;
use AWS::Signature4;
use HTTP::Request;
use POSIX qw(strftime);

package FixedSigner {
    use parent -norequire, 'AWS::Signature4';

    sub _scope {
        my ($self, $request) = @_;
        my ($date) = $self->_datetime($request) =~ /^(\d+)T/;
        return "$date/$self->{fixed_region}/$self->{fixed_service}/aws4_request";
    }

    sub _zulu_time { return POSIX::strftime('%Y%m%dT%H%M%SZ', gmtime($_[0]->{fixed_epoch})) }

    # The string to sign, kept to reveal it (the library returns it from this method).
    sub _string_to_sign {
        my $self = shift;
        return $self->{string_to_sign} = $self->SUPER::_string_to_sign(@_);
    }
}

# A session token as the library takes it (like VM::EC2::Security::Token): it reads the keys
# from it and puts the object, stringified, into X-Amz-Security-Token.
package FixedToken {
    use overload '""' => sub { $_[0]->{token} }, fallback => 1;
    sub access_key_id   { $_[0]->{ak} }
    sub accessKeyId     { $_[0]->{ak} }
    sub secretAccessKey { $_[0]->{sk} }
}

package main;

sub sign {
    my ($msg) = @_;
    my $s = $msg->{settings};
    die Protocol::unsupported('AWS::Signature4 signs SigV4 only') if ($s->{algorithm} // 'sigv4') ne 'sigv4';
    my $presign = $s->{location} eq 'query';
    my $c = $msg->{credentials};
    my $token = $c->{session_token};
    if ($presign && defined $token && $s->{session_token} eq 'after-signing') {
        die Protocol::unsupported('signed_url always signs the X-Amz-Security-Token parameter');
    }
    die Protocol::unsupported('AWS::Signature4 has no switch for the signed headers (it signs every header but Date)')
        if defined $s->{signed_headers};
    my $p = $s->{payload};
    my $want_header = $s->{content_sha256_header} && !$presign;
    my $digest;
    if ($presign) {
        # signed_url hashes nothing: UNSIGNED-PAYLOAD for an s3 scope, else the empty body.
        my $lib = $msg->{service} eq 's3' ? 'unsigned' : 'hash';
        die Protocol::unsupported("signed_url signs the payload as " . ($lib eq 'unsigned' ? 'UNSIGNED-PAYLOAD' : 'the hash of an empty body') . " for service $msg->{service}, always")
            if $p->{mode} ne $lib;
    } elsif ($p->{mode} eq 'unsigned') {
        $digest = 'UNSIGNED-PAYLOAD';
    } elsif ($p->{mode} eq 'precomputed') {
        $digest = $p->{value};
    }
    my %args = (-access_key => $c->{access_key_id}, -secret_key => $c->{secret_access_key});
    if (defined $token && $presign) {
        $args{-security_token} = bless { ak => $c->{access_key_id}, sk => $c->{secret_access_key}, token => $token }, 'FixedToken';
    }
    my $signer = FixedSigner->new(%args);
    @$signer{qw(fixed_region fixed_service fixed_epoch)} = ($msg->{region}, $msg->{service}, Protocol::signing_epoch($msg));

    my $req = $msg->{request};
    my $host = Protocol::header($msg, 'host') // die "the request has no Host header\n";
    my $request = HTTP::Request->new($req->{method} => "https://$host$req->{target}");
    $request->headers->push_header($_->[0] => $_->[1]) for @{ $req->{headers} };
    $request->content(Protocol::body($msg));
    if ($presign) {
        my $uri = $signer->signed_url($request, $s->{expires_in});
        my ($sig) = $uri->query =~ /X-Amz-Signature=([0-9a-f]+)/;
        # signed_url returns a GET URL that carries only Host.
        return { signed => { method => 'GET', target => $uri->path_query, headers => [['Host', $host]] },
                 string_to_sign => $signer->{string_to_sign}, signature => $sig };
    }
    # The library signs what is on the request and adds no token or payload header itself:
    # a caller adds them, before signing (signed) or after it.
    my $sha = $want_header ? ($digest // Digest::SHA::sha256_hex(Protocol::body($msg))) : undef;
    $request->header('X-Amz-Content-Sha256' => $sha) if defined $sha;
    my $after = defined $token && $s->{session_token} eq 'after-signing';
    $request->header('X-Amz-Security-Token' => $token) if defined $token && !$after;
    $signer->sign($request, $msg->{region}, $digest);
    $request->header('X-Amz-Security-Token' => $token) if $after;
    my @headers;
    $request->headers->scan(sub { push @headers, [$_[0], $_[1]] });
    my ($sig) = ($request->header('Authorization') // '') =~ /Signature=([0-9a-f]+)/;
    return { signed => { method => $request->method, target => $request->uri->path_query, headers => \@headers },
             string_to_sign => $signer->{string_to_sign}, signature => $sig };
}

Protocol::run({ name => 'perl-aws-signature4', version => $AWS::Signature4::VERSION, language => 'perl',
                reveals => ['string_to_sign', 'signature'] }, \&sign);
