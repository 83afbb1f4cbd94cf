package io.shardwise.ddb;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbAttribute;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;

import java.math.BigDecimal;
import java.util.Set;

/** Bean over the homogeneous attributes of the all-types fixture. */
@DynamoDbBean
public class Thing {
    static final TableSchema<Thing> SCHEMA = TableSchema.fromBean(Thing.class);

    private String id;
    private BigDecimal n38;
    private BigDecimal nFraction38;
    private BigDecimal nTiny;
    private BigDecimal nHuge;
    private SdkBytes b;
    private Boolean yes;
    private Boolean no;
    private Set<String> ss;
    private Set<BigDecimal> ns;

    @DynamoDbPartitionKey
    public String getId() { return id; }
    public void setId(String id) { this.id = id; }

    public BigDecimal getN38() { return n38; }
    public void setN38(BigDecimal n38) { this.n38 = n38; }

    @DynamoDbAttribute("nFraction38")
    public BigDecimal getNFraction38() { return nFraction38; }
    public void setNFraction38(BigDecimal v) { this.nFraction38 = v; }

    @DynamoDbAttribute("nTiny")
    public BigDecimal getNTiny() { return nTiny; }
    public void setNTiny(BigDecimal v) { this.nTiny = v; }

    @DynamoDbAttribute("nHuge")
    public BigDecimal getNHuge() { return nHuge; }
    public void setNHuge(BigDecimal v) { this.nHuge = v; }

    public SdkBytes getB() { return b; }
    public void setB(SdkBytes b) { this.b = b; }

    public Boolean getYes() { return yes; }
    public void setYes(Boolean yes) { this.yes = yes; }

    public Boolean getNo() { return no; }
    public void setNo(Boolean no) { this.no = no; }

    public Set<String> getSs() { return ss; }
    public void setSs(Set<String> ss) { this.ss = ss; }

    public Set<BigDecimal> getNs() { return ns; }
    public void setNs(Set<BigDecimal> ns) { this.ns = ns; }
}
