package database

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TypeToken is the Pulumi type of the Table component. It is in users' state: never change it.
const TypeToken = "platform:database:Table"

// Billing modes, as DynamoDB spells them.
const (
	PayPerRequest = "PAY_PER_REQUEST"
	Provisioned   = "PROVISIONED"
)

// AttributeTypes are the scalar types a key attribute may have: string, number, binary.
var AttributeTypes = []string{"S", "N", "B"}

// Attribute is a key attribute of a table.
type Attribute struct {
	// Name of the attribute, 1 to 255 bytes.
	Name string
	// Type is S (string), N (number) or B (binary).
	Type string
}

// Encryption chooses the key that encrypts a table at rest (DynamoDB always encrypts). See the
// package documentation for how each choice maps to the serverSideEncryption block.
type Encryption string

const (
	// CustomerKey encrypts with the customer-managed key TableArgs.KmsKeyArn. The zero value ""
	// means CustomerKey.
	CustomerKey Encryption = "customerKey"
	// AWSOwnedKey encrypts with DynamoDB's AWS-owned key (serverSideEncryption.enabled = false):
	// an explicit opt-out, for data that does not need a key of our own. Control DDB-001 fails on
	// such a table unless the stack waives it with a reason.
	AWSOwnedKey Encryption = "awsOwnedKey"
)

// Capacity is provisioned throughput, in capacity units.
type Capacity struct {
	// Read and Write capacity units; each at least 1.
	Read, Write int
}

// TableArgs configures a Table. The zero value of each optional field is the secure default.
type TableArgs struct {
	// HashKey is the partition key; required (DynamoDB has no default key).
	HashKey Attribute
	// RangeKey is the sort key; nil (the default) means none, the simplest key that works.
	RangeKey *Attribute
	// TableName fixes the table's name (3 to 255 characters of A-Z a-z 0-9 _ . -); "" lets
	// Pulumi name it "<name>-<random suffix>", which allows replacements without a name clash.
	TableName string
	// Encryption chooses the key; "" means CustomerKey, because only a key of our own has a
	// policy, rotation and an audit trail we control. AWSOwnedKey is the explicit opt-out.
	Encryption Encryption
	// KmsKeyArn is the customer-managed key (the keyring's data key): required with CustomerKey,
	// and must be nil with AWSOwnedKey.
	KmsKeyArn pulumi.StringInput
	// DeletionProtection makes DynamoDB refuse to delete the table (set it in prod). False (the
	// default) keeps dev and test tables disposable; infra sets it per environment.
	DeletionProtection bool
	// Provisioned, if set, bills provisioned capacity instead of PAY_PER_REQUEST. Nil (the default)
	// bills per request: no capacity to size, and no throttling of a burst nobody planned for.
	Provisioned *Capacity
	// Protect and RetainOnDelete keep the table from being deleted with the stack (set them in
	// prod). False (the default) lets a dev stack be torn down; point-in-time recovery is on
	// whatever they say.
	Protect, RetainOnDelete bool
	// Tags are added to the table; nil adds none.
	Tags map[string]string
}

// Table is a DynamoDB table with point-in-time recovery, encrypted with a customer-managed key
// unless opted out.
type Table struct {
	pulumi.ResourceState

	// Table is the DynamoDB table.
	Table *dynamodb.Table
	// Arn of the table, for the policies of the roles that use it.
	Arn pulumi.StringOutput
	// Name of the table (TableName, or the name Pulumi generated).
	Name pulumi.StringOutput
}

func (a *TableArgs) withDefaults() TableArgs {
	out := *a
	if out.Encryption == "" {
		out.Encryption = CustomerKey
	}
	return out
}

var tableName = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)

// CheckTableName checks a table name against DynamoDB's naming rule.
func CheckTableName(name string) error {
	if !tableName.MatchString(name) {
		return fmt.Errorf("%q must be 3 to 255 characters of A-Z a-z 0-9 _ . -", name)
	}
	return nil
}

// Validate reports every problem with the args at once.
func (a *TableArgs) Validate() error {
	var errs []error
	errs = append(errs, a.HashKey.validate("hashKey")...)
	if a.RangeKey != nil {
		errs = append(errs, a.RangeKey.validate("rangeKey")...)
		if a.RangeKey.Name != "" && a.RangeKey.Name == a.HashKey.Name {
			errs = append(errs, fmt.Errorf("rangeKey: %q is also the hash key; use another attribute or no range key", a.RangeKey.Name))
		}
	}
	if a.TableName != "" {
		if err := CheckTableName(a.TableName); err != nil {
			errs = append(errs, fmt.Errorf("tableName: %w", err))
		}
	}
	switch a.Encryption {
	case "", CustomerKey:
		if a.KmsKeyArn == nil {
			errs = append(errs, errors.New("kmsKeyArn: required with CustomerKey, the default (pass the data key, or opt out with AWSOwnedKey)"))
		}
	case AWSOwnedKey:
		if a.KmsKeyArn != nil {
			errs = append(errs, errors.New("kmsKeyArn: must be nil with AWSOwnedKey (the AWS-owned key takes no ARN)"))
		}
	default:
		errs = append(errs, fmt.Errorf("encryption: %q is not an option (allowed: %s, %s)", a.Encryption, CustomerKey, AWSOwnedKey))
	}
	if c := a.Provisioned; c != nil {
		if c.Read <= 0 {
			errs = append(errs, fmt.Errorf("provisioned.read: %d must be at least 1", c.Read))
		}
		if c.Write <= 0 {
			errs = append(errs, fmt.Errorf("provisioned.write: %d must be at least 1", c.Write))
		}
	}
	return errors.Join(errs...)
}

func (at Attribute) validate(field string) []error {
	var errs []error
	switch {
	case at.Name == "":
		errs = append(errs, fmt.Errorf("%s: name is required", field))
	case len(at.Name) > 255:
		errs = append(errs, fmt.Errorf("%s: name is %d bytes, more than 255", field, len(at.Name)))
	}
	if !slices.Contains(AttributeTypes, at.Type) {
		errs = append(errs, fmt.Errorf("%s: type %q is not S, N or B", field, at.Type))
	}
	return errs
}

// NewTable creates the table. The args are validated before anything is registered.
func NewTable(ctx *pulumi.Context, name string, args *TableArgs, opts ...pulumi.ResourceOption) (*Table, error) {
	if args == nil {
		args = &TableArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("database.NewTable %q: %w", name, err)
	}
	a := args.withDefaults()

	attributes := dynamodb.TableAttributeArray{
		dynamodb.TableAttributeArgs{Name: pulumi.String(a.HashKey.Name), Type: pulumi.String(a.HashKey.Type)},
	}
	tableArgs := &dynamodb.TableArgs{
		HashKey:                   pulumi.String(a.HashKey.Name),
		BillingMode:               pulumi.String(PayPerRequest),
		PointInTimeRecovery:       dynamodb.TablePointInTimeRecoveryArgs{Enabled: pulumi.Bool(true)},
		DeletionProtectionEnabled: pulumi.Bool(a.DeletionProtection),
		Tags:                      pulumi.ToStringMap(maps.Clone(a.Tags)),
	}
	if a.RangeKey != nil {
		tableArgs.RangeKey = pulumi.String(a.RangeKey.Name)
		attributes = append(attributes, dynamodb.TableAttributeArgs{Name: pulumi.String(a.RangeKey.Name), Type: pulumi.String(a.RangeKey.Type)})
	}
	tableArgs.Attributes = attributes
	if a.TableName != "" {
		tableArgs.Name = pulumi.String(a.TableName)
	}
	if c := a.Provisioned; c != nil {
		tableArgs.BillingMode = pulumi.String(Provisioned)
		tableArgs.ReadCapacity = pulumi.Int(c.Read)
		tableArgs.WriteCapacity = pulumi.Int(c.Write)
	}
	if a.Encryption == AWSOwnedKey {
		// enabled = false is DynamoDB's spelling of "the AWS-owned key" (not "unencrypted").
		tableArgs.ServerSideEncryption = dynamodb.TableServerSideEncryptionArgs{Enabled: pulumi.Bool(false)}
	} else {
		tableArgs.ServerSideEncryption = dynamodb.TableServerSideEncryptionArgs{Enabled: pulumi.Bool(true), KmsKeyArn: a.KmsKeyArn.ToStringOutput()}
	}

	t := &Table{}
	if err := ctx.RegisterComponentResource(TypeToken, name, t, opts...); err != nil {
		return nil, err
	}
	table, err := dynamodb.NewTable(ctx, name, tableArgs,
		pulumi.Parent(t), pulumi.Protect(a.Protect), pulumi.RetainOnDelete(a.RetainOnDelete))
	if err != nil {
		return nil, err
	}
	t.Table, t.Arn, t.Name = table, table.Arn, table.Name
	if err := ctx.RegisterResourceOutputs(t, pulumi.Map{"arn": t.Arn, "name": t.Name}); err != nil {
		return nil, err
	}
	return t, nil
}
