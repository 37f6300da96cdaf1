package edge

import (
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// CertificateTypeToken is the Pulumi type of the Certificate component. Never change it.
const CertificateTypeToken = "platform:edge:Certificate" // #nosec G101 -- a type token, not a credential

// KeyAlgorithms are the ACM key algorithms an ALB serves; DefaultKeyAlgorithm is the widest-served.
var KeyAlgorithms = []string{"EC_prime256v1", "EC_secp384r1", "RSA_2048"}

// DefaultKeyAlgorithm is the certificate's key algorithm when none is given.
const DefaultKeyAlgorithm = "RSA_2048"

// CertificateArgs configure the certificate: either HostedZoneID (issue and validate one for
// Domain) or CertificateArn (use that certificate), never both.
type CertificateArgs struct {
	// Domain is the name the certificate covers, e.g. app.example.com. Required.
	Domain string
	// HostedZoneID is the Route 53 public zone the DNS validation record goes in: set it to have
	// a certificate issued and validated here. "" (the default) requires CertificateArn: there is
	// no default certificate, and never a self-signed one.
	HostedZoneID string
	// CertificateArn is an ACM certificate of the stack's region that covers Domain: set it to use
	// a certificate managed elsewhere. "" (the default) requires HostedZoneID.
	CertificateArn string
	// KeyAlgorithm of an issued certificate; "" means DefaultKeyAlgorithm (RSA 2048), which every
	// client can negotiate; the ECDSA curves are allowed for clients known to support them.
	KeyAlgorithm string
	// Tags are added to an issued certificate; nil adds none.
	Tags map[string]string
}

// Certificate is the edge certificate.
type Certificate struct {
	pulumi.ResourceState
	// Arn is the certificate's ARN; for an issued certificate it resolves only once ACM has
	// validated it, so nothing uses an unvalidated certificate.
	Arn pulumi.StringOutput
}

var (
	domainPattern  = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	zonePattern    = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)
	acmArnPattern  = regexp.MustCompile(`^arn:aws(-[a-z]+)*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$`)
	errNoCertSpecs = errors.New("hostedZoneId or certificateArn: one is required (issue a certificate with DNS validation in the zone, or use an existing one)")
)

// Validate reports every problem at once.
func (a *CertificateArgs) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !domainPattern.MatchString(a.Domain) || len(a.Domain) > 253 {
		bad("domain: %q is not a lowercase DNS name (for example app.example.com)", a.Domain)
	}
	switch {
	case a.HostedZoneID == "" && a.CertificateArn == "":
		errs = append(errs, errNoCertSpecs)
	case a.HostedZoneID != "" && a.CertificateArn != "":
		bad("hostedZoneId and certificateArn: both set; choose one (issue a certificate, or use %s)", a.CertificateArn)
	case a.HostedZoneID != "" && !zonePattern.MatchString(a.HostedZoneID):
		bad("hostedZoneId: %q is not a Route 53 zone id (for example Z0123456789ABCDEFGHIJ)", a.HostedZoneID)
	case a.CertificateArn != "" && !acmArnPattern.MatchString(a.CertificateArn):
		bad("certificateArn: %q is not an ACM certificate ARN", a.CertificateArn)
	}
	if a.KeyAlgorithm != "" && !slices.Contains(KeyAlgorithms, a.KeyAlgorithm) {
		bad("keyAlgorithm: %q is not allowed (allowed: %v)", a.KeyAlgorithm, KeyAlgorithms)
	}
	if a.CertificateArn != "" && a.KeyAlgorithm != "" {
		bad("keyAlgorithm: only for an issued certificate; an existing one has its own")
	}
	return errors.Join(errs...)
}

// NewCertificate issues and validates the certificate, or adopts an existing one.
func NewCertificate(ctx *pulumi.Context, name string, args *CertificateArgs, opts ...pulumi.ResourceOption) (*Certificate, error) {
	if args == nil {
		args = &CertificateArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("edge.NewCertificate %q: %w", name, err)
	}
	c := &Certificate{}
	if err := ctx.RegisterComponentResource(CertificateTypeToken, name, c, opts...); err != nil {
		return nil, err
	}
	if args.CertificateArn != "" {
		c.Arn = pulumi.String(args.CertificateArn).ToStringOutput()
		return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"arn": c.Arn})
	}
	algorithm := args.KeyAlgorithm
	if algorithm == "" {
		algorithm = DefaultKeyAlgorithm
	}
	parent := pulumi.Parent(c)
	cert, err := acm.NewCertificate(ctx, name, &acm.CertificateArgs{
		DomainName:       pulumi.String(args.Domain),
		ValidationMethod: pulumi.String("DNS"),
		KeyAlgorithm:     pulumi.String(algorithm),
		Tags:             pulumi.ToStringMap(args.Tags),
	}, parent, pulumi.ReplaceOnChanges([]string{"keyAlgorithm"}))
	if err != nil {
		return nil, err
	}
	// One domain, one validation record.
	dvo := cert.DomainValidationOptions.Index(pulumi.Int(0))
	record, err := route53.NewRecord(ctx, name+"-validation", &route53.RecordArgs{
		ZoneId:  pulumi.String(args.HostedZoneID),
		Name:    dvo.ResourceRecordName().Elem(),
		Type:    dvo.ResourceRecordType().Elem(),
		Records: pulumi.StringArray{dvo.ResourceRecordValue().Elem()},
		Ttl:     pulumi.Int(60),
		// ACM's validation record of a domain is the same for every certificate of it: a
		// replacement certificate (created before the old one is deleted) must take it over.
		AllowOverwrite: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return nil, err
	}
	validation, err := acm.NewCertificateValidation(ctx, name, &acm.CertificateValidationArgs{
		CertificateArn:        cert.Arn,
		ValidationRecordFqdns: pulumi.StringArray{record.Fqdn},
	}, parent)
	if err != nil {
		return nil, err
	}
	c.Arn = validation.CertificateArn
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"arn": c.Arn})
}
